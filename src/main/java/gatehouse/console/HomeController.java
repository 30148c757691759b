package gatehouse.console;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** Where a person who opens Gatehouse in a browser lands: the console. */
@Controller("consoleHomeController")
class HomeController {

    @GetMapping({"/", "/admin", "/admin/"})
    String root() {
        return "redirect:/console";
    }

    @GetMapping({"/console", "/console/"})
    String console() {
        return "redirect:/console/gateways";
    }
}
