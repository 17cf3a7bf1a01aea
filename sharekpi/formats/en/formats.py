# English as written in Malaysia and Indonesia: day before month, 24-hour clock
# (Django's "en" is American). Other languages use Django's own formats.
DATE_FORMAT = "j M Y"  # 25 Oct 2006
DATETIME_FORMAT = "j M Y, H:i"  # 25 Oct 2006, 14:30
TIME_FORMAT = "H:i"  # 14:30
MONTH_DAY_FORMAT = "j M"  # 25 Oct
