package gatehouse.policy.rules.pii;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Word lists shipped in the jar for names and places: common given names, common family names,
 * countries, US states and large cities. A list, not a model: it finds the names it knows and
 * capitalised names next to them or after a title, and misses the rest.
 */
final class Gazetteer {
    final Set<String> firstNames;
    final Set<String> surnames;
    /** Place names by their first word, each with its word count, longest first. */
    final Map<String, int[]> placeLengths;
    final Set<String> places;
    /** Every case-sensitive list below, as bits of one table: {@link #NOT_NAME} ... {@link #PLACE_START}. */
    final Lexicon exact;
    /** The lower-case lists ({@link #FIRST_NAME}, {@link #SURNAME}, {@link #NAME_START}), asked without regard to ASCII case. */
    final Lexicon folded;

    static final int NOT_NAME = 1;
    static final int TITLE = 1 << 1;
    static final int DIRECTION = 1 << 2;
    static final int PERSON_VERB = 1 << 3;
    static final int PLACE_WORD = 1 << 4;
    static final int ORG_WORD = 1 << 5;
    /** In {@link #places} (a whole place name, one word or several). */
    static final int PLACE = 1 << 6;
    /** A key of {@link #placeLengths} (the first word of a place name); the table holds its lengths. */
    static final int PLACE_START = 1 << 7;
    static final int FIRST_NAME = 1;
    static final int SURNAME = 1 << 1;
    /** A given name, title or first word of a place, in lower case: a capitalised word that may start a finding. */
    static final int NAME_START = 1 << 2;

    static final Set<String> TITLES = Set.of("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "Madam", "Mx");
    /** Capitalised words that are not names even when a known surname follows. */
    static final Set<String> NOT_NAMES = Set.of("The", "A", "An", "This", "That", "These", "Those", "My", "Our", "Your", "His",
            "Her", "Their", "Its", "In", "On", "At", "To", "From", "For", "With", "By", "Of", "And", "Or", "But", "If", "When",
            "Please", "Dear", "Hi", "Hello", "Thanks", "Regards", "Best", "Call", "Contact", "Meet", "Tell", "Welcome", "Thank", "Send", "Email", "Mail", "Ask",
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
            "April", "May", "June", "July", "August", "September", "October", "November", "December", "Street", "Avenue",
            "Road", "Order", "Invoice", "Ticket", "Version", "Release", "Build", "Customer", "Patient", "User", "Account",
            "Card", "Number", "Phone", "Name", "Team", "Project", "Inc", "Ltd", "LLC", "Corp", "Company", "Bank", "Group",
            "University", "Hospital", "Center", "Service", "Services", "North", "South", "East", "West", "New", "Saint", "St",
            "Lake", "Mount", "Fort", "Port", "San", "Los", "Las", "Via", "Per", "Re", "Fwd", "Note", "Notes", "Total", "Amount",
            "Jr", "Sr", "Yesterday", "Today", "Tomorrow", "Visit", "Many", "Some", "All", "Grand");

    /** Words that begin a place name when a capitalised word follows ("North Jaimie", "Port Ismaelview"). */
    static final Set<String> DIRECTIONS = Set.of("North", "South", "East", "West", "New", "Port", "Lake", "Mount", "Fort", "Saint", "St",
            "Upper", "Lower");
    /** Verbs a person is the subject of: a capitalised pair before one is likely a name ("Bart Rath moved to ..."). */
    static final Set<String> PERSON_VERBS = Set.of("moved", "said", "says", "wrote", "writes", "asked", "told", "joined", "left", "lives",
            "lived", "works", "worked", "replied", "signed", "met", "visited", "reported", "approved", "emailed", "thanked",
            "confirmed", "booked", "paid", "resigned", "married", "retired", "died");
    /** Nouns that make a run of capitalised words a place (or an organisation), never a person. */
    static final Set<String> PLACE_WORDS = Set.of("Islands", "Island", "Isles", "Republic", "Democratic", "Kingdom", "States", "United",
            "Federation", "Territory", "Territories", "Canyon", "Valley", "River", "Bay", "Mountains", "Mountain", "Park", "Airport",
            "Station", "Bridge", "Museum", "Beach", "Coast", "Desert", "Forest", "Heights", "Harbor", "Harbour",
            "Peninsula", "Polynesia", "Guiana", "Emirates", "Arab", "Atoll");
    /** Nouns that make a run of capitalised words an organisation or a product: neither person nor place. */
    static final Set<String> ORG_WORDS = Set.of("Web", "Cloud", "Services", "Systems", "Labs", "Software", "Solutions", "Technologies",
            "Partners", "Holdings", "Foundation", "Institute", "Association", "Committee", "Council", "Department", "Office", "Agency");

    /** Endings of English place names ("-town", "-ville", "-port"): a capitalised word with one is a place candidate. */
    private static final String[] PLACE_SUFFIXES = {"town", "ville", "burgh", "burg", "borough", "bury", "port", "side", "mouth",
        "shire", "land", "stad", "chester", "view", "haven", "field", "ford", "furt", "berg", "fort", "stead", "wick", "ham"};

    /** {@link #PLACE_SUFFIXES} by their last letter: a word is compared only with the endings that end as it does. */
    private static final String[][] SUFFIXES_BY_LAST = new String[128][];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            final char last = c;
            String[] list = java.util.Arrays.stream(PLACE_SUFFIXES).filter(x -> x.charAt(x.length() - 1) == last).toArray(String[]::new);
            SUFFIXES_BY_LAST[c] = list.length == 0 ? null : list;
        }
    }

    /** One bit per (next-to-last byte, last byte) that ends a {@link #PLACE_SUFFIXES} entry, by their low seven bits (2 KB). */
    private static final long[] LAST_TWO = new long[128 * 128 / 64];

    static {
        for (String suffix : PLACE_SUFFIXES) {
            int k = (suffix.charAt(suffix.length() - 2) << 7) | suffix.charAt(suffix.length() - 1);
            LAST_TWO[k >>> 6] |= 1L << k;
        }
    }

    /** Whether the Latin-1 word {@code cs[s, e)}, six letters or more, ends with a place-name ending. */
    static boolean placeShaped(byte[] cs, int s, int e) {
        if (e - s < 6) {
            return false;
        }
        int lastTwo = ((cs[e - 2] & 0x7F) << 7) | (cs[e - 1] & 0x7F);
        if ((LAST_TWO[lastTwo >>> 6] & (1L << lastTwo)) == 0 || cs[e - 1] < 0 || SUFFIXES_BY_LAST[cs[e - 1]] == null) {
            return false;
        }
        for (String suffix : SUFFIXES_BY_LAST[cs[e - 1]]) {
            int k = e - suffix.length();
            if (k <= s) {
                continue;
            }
            boolean match = true;
            for (int j = 0; j < suffix.length() && match; j++) {
                match = cs[k + j] == suffix.charAt(j);
            }
            if (match) {
                return true;
            }
        }
        return false;
    }

    /** After the constant sets above: static fields initialise in order. */
    static final Gazetteer DEFAULT = new Gazetteer();

    private Gazetteer() {
        firstNames = words("first-names.txt");
        surnames = words("surnames.txt");
        places = new HashSet<>();
        Map<String, Set<Integer>> lengths = new HashMap<>();
        for (String line : lines("locations.txt")) {
            places.add(line);
            String[] w = line.split(" ");
            lengths.computeIfAbsent(w[0], k -> new HashSet<>()).add(w.length);
        }
        placeLengths = new HashMap<>();
        lengths.forEach((k, v) -> placeLengths.put(k, v.stream().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray()));
        Map<String, Integer> cased = new HashMap<>();
        Lexicon.mark(cased, NOT_NAMES, NOT_NAME);
        Lexicon.mark(cased, TITLES, TITLE);
        Lexicon.mark(cased, DIRECTIONS, DIRECTION);
        Lexicon.mark(cased, PERSON_VERBS, PERSON_VERB);
        Lexicon.mark(cased, PLACE_WORDS, PLACE_WORD);
        Lexicon.mark(cased, ORG_WORDS, ORG_WORD);
        Lexicon.mark(cased, places, PLACE);
        Lexicon.mark(cased, placeLengths.keySet(), PLACE_START);
        exact = Lexicon.exact(cased, placeLengths);
        Map<String, Integer> lower = new HashMap<>();
        Lexicon.mark(lower, firstNames, FIRST_NAME);
        Lexicon.mark(lower, surnames, SURNAME);
        Lexicon.mark(lower, firstNames, NAME_START);
        Lexicon.mark(lower, placeLengths.keySet().stream().map(w -> w.toLowerCase(Locale.ROOT)).toList(), NAME_START);
        Lexicon.mark(lower, TITLES.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList(), NAME_START);
        folded = Lexicon.folded(lower);
    }

    private static Set<String> words(String file) {
        Set<String> out = new HashSet<>();
        for (String line : lines(file)) {
            for (String w : line.split("\\s+")) {
                if (!w.isEmpty()) {
                    out.add(w.toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    private static java.util.List<String> lines(String file) {
        try (InputStream in = Gazetteer.class.getResourceAsStream("/gatehouse/pii/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing gazetteer " + file);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
