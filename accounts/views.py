from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy

from . import selectors
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """Home page by role: what to do next for this person."""
    user = request.user
    context = {"visible_count": None}
    if user.is_manager or user.is_hr_admin:
        context["visible_count"] = selectors.users_visible_to(user).filter(is_active=True).count()
    return render(request, "accounts/home.html", context)


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_set = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_set.html",
    success_url=reverse_lazy("accounts:password_set_done"),
)
password_set_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_set_done.html"
)
