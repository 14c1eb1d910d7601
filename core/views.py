from django.contrib.auth import views as auth_views
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "core/home.html"


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
