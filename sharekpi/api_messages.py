"""Django REST framework's own error messages that our API answers with, listed here so
that ``make messages`` puts them in our catalogues.

DRF ships an Indonesian catalogue but no Malay one: without these entries an API
client asking for ``Accept-Language: ms`` would read "Not found." in English. Our
catalogues come first (LOCALE_PATHS), so the translations here are the ones used, in
both languages. Each msgid must stay exactly DRF's (placeholders in braces included):
nothing imports this module, the strings are only marked.
"""

from django.utils.translation import gettext_noop

DRF_MESSAGES = (
    # exceptions.py
    gettext_noop("A server error occurred."),
    gettext_noop("Invalid input."),
    gettext_noop("Malformed request."),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("You do not have permission to perform this action."),
    gettext_noop("Not found."),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop("Could not satisfy the request Accept header."),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop("Request was throttled."),
    gettext_noop("Expected available in {wait} second."),
    gettext_noop("Expected available in {wait} seconds."),
    # authentication.py (token auth) and pagination.py
    gettext_noop("Invalid token header. No credentials provided."),
    gettext_noop("Invalid token header. Token string should not contain spaces."),
    gettext_noop("Invalid token."),
    gettext_noop("User inactive or deleted."),
    gettext_noop("Invalid page."),
    # fields.py, relations.py, serializers.py
    gettext_noop("This field may not be null."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Not a valid string."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop("This list may not be empty."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
    gettext_noop("The submitted file is empty."),
    gettext_noop('Invalid pk "{pk_value}" - object does not exist.'),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
)
