package gatehouse.policy.rules.pii;

import java.util.Locale;
import java.util.Set;

/**
 * Top-level domains that exist: every ISO country code domain and the generic ones in common use.
 * Shipped with the product, so validating an e-mail or URL host never fetches a suffix list.
 */
final class TopLevelDomains {
    private TopLevelDomains() {
    }

    private static final Set<String> TLDS = new java.util.HashSet<>(java.util.Arrays.asList((
            "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt bw by bz "
            + "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er es et eu fi fj fk fm "
            + "fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it "
            + "je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo "
            + "mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw "
            + "py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm "
            + "tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw "
            + "com org net edu gov mil int info biz name pro mobi aero coop museum jobs travel tel asia cat post xxx arpa "
            + "app dev io ai cloud tech online site store shop blog news page web live xyz top club design agency digital "
            + "email network systems solutions services software company group global media studio works world today "
            + "academy center city email expert finance health law legal life link market money one email org page "
            + "partners photography press social space support team tools tv website work wiki zone bank insurance "
            + "google amazon microsoft apple").split(" ")));

    /** Whether {@code host} is a dotted name whose last label is a known top-level domain. */
    static boolean validHost(String host) {
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        int dot = host.lastIndexOf('.');
        if (dot <= 0 || dot == host.length() - 1) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '.')) {
                return false;
            }
        }
        if (host.contains("..")) {
            return false;
        }
        return TLDS.contains(host.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
