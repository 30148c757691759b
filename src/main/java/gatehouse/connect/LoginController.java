package gatehouse.connect;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpSession;

import org.springframework.security.authentication.DisabledException;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.WebAttributes;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;

import gatehouse.identity.Directory;
import gatehouse.identity.LoginProperties;
import gatehouse.identity.SignInThrottledException;
import gatehouse.sso.SsoLogin;
import gatehouse.sso.SsoProviders;
import gatehouse.sso.SsoUsers;

/** The sign-in page (Spring Security's form login processes its POST) with a link per SSO provider and routing by e-mail domain. */
@Controller
class LoginController {
    private final Directory directory;
    private final SsoProviders providers;
    private final LoginProperties login;

    LoginController(Directory directory, SsoProviders providers, LoginProperties login) {
        this.directory = directory;
        this.providers = providers;
        this.login = login;
    }

    record ProviderLink(String name, String url) {
    }

    @GetMapping("/login")
    String login(@RequestParam(required = false) String error, @RequestParam(required = false) String logout,
                 @RequestParam(required = false) String sso, HttpSession session, Model model) {
        if (error != null) {
            Object e = session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
            model.addAttribute("error", e instanceof SignInThrottledException || e instanceof DisabledException || e instanceof SsoUsers.Refused
                    ? ((Exception) e).getMessage()
                    : e instanceof OAuth2AuthenticationException o ? "Sign-in with your organisation failed (" + o.getError().getErrorCode() + ")."
                    : "Wrong username or password.");
        }
        if (sso != null) {
            model.addAttribute("error", "No sign-in provider is set up for that e-mail domain.");
        }
        if (logout != null) {
            model.addAttribute("info", "You are signed out.");
        }
        model.addAttribute("providers", providers.list().stream()
                .map(p -> new ProviderLink(p.name(), SsoLogin.AUTHORIZATION_BASE + "/" + p.name())).toList());
        model.addAttribute("localEnabled", login.localEnabled());
        return "login";
    }

    /** Routing by e-mail domain: the provider that owns the domain, with the address as a hint. */
    @GetMapping("/login/sso")
    String byEmail(@RequestParam(required = false) String email) {
        return providers.forEmail(email)
                .map(p -> "redirect:" + SsoLogin.AUTHORIZATION_BASE + "/" + p.name() + "?login_hint="
                        + URLEncoder.encode(email.trim(), StandardCharsets.UTF_8))
                .orElse("redirect:/login?sso=none");
    }

    @GetMapping("/connect/signed-in")
    String signedIn(Authentication auth, Model model) {
        model.addAttribute("username", directory.user(auth.getName()).username());
        return "connect/signed-in";
    }
}
