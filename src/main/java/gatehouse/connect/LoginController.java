package gatehouse.connect;

import jakarta.servlet.http.HttpSession;

import org.springframework.security.authentication.DisabledException;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.WebAttributes;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import gatehouse.identity.Directory;
import gatehouse.identity.SignInThrottledException;

/** The sign-in page (Spring Security's form login processes its POST). */
@Controller
class LoginController {
    private final Directory directory;

    LoginController(Directory directory) {
        this.directory = directory;
    }

    @GetMapping("/login")
    String login(@RequestParam(required = false) String error, @RequestParam(required = false) String logout,
                 HttpSession session, Model model) {
        if (error != null) {
            Object e = session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
            model.addAttribute("error", e instanceof SignInThrottledException || e instanceof DisabledException
                    ? ((Exception) e).getMessage() : "Wrong username or password.");
        }
        if (logout != null) {
            model.addAttribute("info", "You are signed out.");
        }
        return "login";
    }

    @GetMapping("/connect/signed-in")
    String signedIn(Authentication auth, Model model) {
        model.addAttribute("username", directory.user(auth.getName()).username());
        return "connect/signed-in";
    }
}
