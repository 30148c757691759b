package gatehouse.policy.rules.pii.accuracy;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

import net.datafaker.Faker;
import net.datafaker.providers.base.Finance.CreditCardType;

/**
 * A labelled corpus for the PII engines, the same for a given seed: sentences from templates whose
 * slots are filled with fake values (datafaker) and labelled with their entity and span. About a
 * fifth of the sentences carry decoys that look like PII and are not: order numbers, version
 * strings, card-like numbers that fail Luhn, SSNs printed as examples, ticket ids.
 */
public final class Corpus {
    /** One labelled span. */
    public record Label(String entity, int start, int end) {
    }

    /** One sentence and its labels. */
    public record Sample(String text, List<Label> labels) {
    }

    private final Faker faker;
    private final Random random;

    public Corpus(long seed) {
        this.random = new Random(seed);
        this.faker = new Faker(Locale.US, new Random(seed + 1));
    }

    /** A slot filler: the entity ({@code null} for a decoy) and the value. */
    private record Fill(String entity, String value) {
    }

    private final List<Object[]> templates = List.of(
            t("Please send the invoice to {EMAIL_ADDRESS} before Friday."),
            t("Contact {PERSON} at {EMAIL_ADDRESS} for the contract."),
            t("My card number is {CREDIT_CARD}, charge it for the renewal."),
            t("Payment failed for card {CREDIT_CARD} yesterday."),
            t("Call {PERSON} at {PHONE_NUMBER} after lunch."),
            t("The support line is {PHONE_NUMBER}."),
            t("Wire the money to IBAN {IBAN_CODE} by the end of the month."),
            t("His social security number is {US_SSN}."),
            t("SSN: {US_SSN}, name: {PERSON}"),
            t("The server at {IP_ADDRESS} stopped answering pings."),
            t("Traffic from {IP_ADDRESS} was blocked by the firewall."),
            t("Read more at {URL} before the meeting."),
            t("{PERSON} moved to {LOCATION} last year."),
            t("The conference will take place in {LOCATION} in spring."),
            t("Device with MAC address {MAC_ADDRESS} joined the network."),
            t("Send the BTC to wallet {CRYPTO} once confirmed."),
            t("The patient's NHS number is {UK_NHS}."),
            t("Her appointment is on {DATE_TIME} at the clinic."),
            t("Dear {PERSON}, your order has shipped."),
            t("Ticket assigned to {PERSON} by {PERSON}."),
            t("Meet {PERSON} in {LOCATION} next week."),
            t("Order {ORDER} shipped to the warehouse."),
            t("Upgrade to version {VERSION} to fix the bug."),
            t("Reference number {FAKECARD} was rejected."),
            t("The sample card shows SSN {EXAMPLE_SSN} as an example."),
            t("Ticket {TICKET} was closed after {NUMBER} days."),
            t("The build {VERSION} passed {NUMBER} tests."),
            t("Invoice {ORDER} totals {NUMBER} dollars."));

    private static Object[] t(String template) {
        return new Object[] {template};
    }

    public List<Sample> generate(int n) {
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sample((String) templates.get(random.nextInt(templates.size()))[0]));
        }
        return out;
    }

    private Sample sample(String template) {
        StringBuilder b = new StringBuilder();
        List<Label> labels = new ArrayList<>();
        int at = 0;
        while (true) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                b.append(template, at, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            b.append(template, at, open);
            Fill f = fill(template.substring(open + 1, close));
            int start = b.length();
            b.append(f.value());
            if (f.entity() != null) {
                labels.add(new Label(f.entity(), start, b.length()));
            }
            at = close + 1;
        }
        return new Sample(b.toString(), labels);
    }

    private Fill fill(String slot) {
        Supplier<String> s = switch (slot) {
            case "EMAIL_ADDRESS" -> () -> faker.internet().emailAddress();
            case "PERSON" -> () -> random.nextInt(4) == 0 ? faker.name().firstName() + " " + faker.name().lastName() : faker.name().fullName();
            case "CREDIT_CARD" -> () -> card();
            case "PHONE_NUMBER" -> () -> phone();
            case "IBAN_CODE" -> () -> iban();
            case "US_SSN" -> () -> faker.idNumber().ssnValid();
            case "IP_ADDRESS" -> () -> random.nextInt(5) == 0 ? faker.internet().ipV6Address() : faker.internet().ipV4Address();
            case "URL" -> () -> faker.internet().url().replaceFirst("^(?!https?://)", "https://");
            case "LOCATION" -> () -> random.nextBoolean() ? faker.address().country() : faker.address().cityName();
            case "MAC_ADDRESS" -> () -> faker.internet().macAddress().toUpperCase(Locale.ROOT);
            case "CRYPTO" -> this::bitcoin;
            case "UK_NHS" -> this::nhs;
            case "DATE_TIME" -> () -> date();
            case "ORDER" -> () -> "ORD-" + (100000 + random.nextInt(900000));
            case "VERSION" -> () -> random.nextInt(5) + "." + random.nextInt(20) + "." + random.nextInt(10);
            case "FAKECARD" -> this::luhnInvalidCard;
            case "EXAMPLE_SSN" -> () -> random.nextBoolean() ? "078-05-1120" : "123-45-6789";
            case "TICKET" -> () -> "JIRA-" + (1000 + random.nextInt(9000));
            case "NUMBER" -> () -> String.valueOf(2 + random.nextInt(400));
            default -> throw new IllegalArgumentException(slot);
        };
        boolean decoy = switch (slot) {
            case "ORDER", "VERSION", "FAKECARD", "EXAMPLE_SSN", "TICKET", "NUMBER" -> true;
            default -> false;
        };
        return new Fill(decoy ? null : slot, s.get());
    }

    private String card() {
        CreditCardType[] types = {CreditCardType.VISA, CreditCardType.MASTERCARD, CreditCardType.AMERICAN_EXPRESS, CreditCardType.DISCOVER};
        String raw = faker.finance().creditCard(types[random.nextInt(types.length)]).replaceAll("[^0-9]", "");
        return switch (random.nextInt(3)) {
            case 0 -> raw;
            case 1 -> group(raw, ' ');
            default -> group(raw, '-');
        };
    }

    private static String group(String digits, char sep) {
        if (digits.length() == 15) {
            return digits.substring(0, 4) + sep + digits.substring(4, 10) + sep + digits.substring(10);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && i % 4 == 0) {
                b.append(sep);
            }
            b.append(digits.charAt(i));
        }
        return b.toString();
    }

    private String phone() {
        String area = String.valueOf(201 + random.nextInt(700)).replace('1', '2');
        String exchange = String.valueOf(200 + random.nextInt(700));
        String line = String.format("%04d", random.nextInt(10000));
        return switch (random.nextInt(4)) {
            case 0 -> "(" + area + ") " + exchange + "-" + line;
            case 1 -> area + "-" + exchange + "-" + line;
            case 2 -> "+1 " + area + " " + exchange + " " + line;
            default -> area + "." + exchange + "." + line;
        };
    }

    private String iban() {
        String[] countries = {"DE", "GB", "FR", "ES", "IT", "NL", "CH"};
        String raw = faker.finance().iban(countries[random.nextInt(countries.length)]);
        return random.nextBoolean() ? raw : raw.replaceAll("(.{4})(?!$)", "$1 ");
    }

    private String date() {
        LocalDate d = LocalDate.of(1950 + random.nextInt(75), 1 + random.nextInt(12), 1 + random.nextInt(28));
        String[] formats = {"yyyy-MM-dd", "MM/dd/yyyy", "MMMM d, yyyy", "d MMMM yyyy"};
        return d.format(DateTimeFormatter.ofPattern(formats[random.nextInt(formats.length)], Locale.US));
    }

    private String luhnInvalidCard() {
        String raw = faker.finance().creditCard(CreditCardType.VISA).replaceAll("[^0-9]", "");
        int last = raw.charAt(raw.length() - 1) - '0';
        return group(raw.substring(0, raw.length() - 1) + (last + 1) % 10, ' ');
    }

    private String nhs() {
        while (true) {
            int[] d = new int[10];
            int sum = 0;
            for (int i = 0; i < 9; i++) {
                d[i] = random.nextInt(10);
                sum += d[i] * (10 - i);
            }
            int check = 11 - sum % 11;
            if (check == 11) {
                check = 0;
            }
            if (check == 10) {
                continue;
            }
            d[9] = check;
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                if (i == 3 || i == 6) {
                    b.append(' ');
                }
                b.append(d[i]);
            }
            return b.toString();
        }
    }

    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private String bitcoin() {
        try {
            byte[] payload = new byte[21];
            random.nextBytes(payload);
            payload[0] = (byte) (random.nextBoolean() ? 0 : 5);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] check = sha.digest(sha.digest(payload));
            byte[] full = new byte[25];
            System.arraycopy(payload, 0, full, 0, 21);
            System.arraycopy(check, 0, full, 21, 4);
            BigInteger n = new BigInteger(1, full);
            StringBuilder b = new StringBuilder();
            BigInteger b58 = BigInteger.valueOf(58);
            while (n.signum() > 0) {
                BigInteger[] qr = n.divideAndRemainder(b58);
                b.append(BASE58.charAt(qr[1].intValue()));
                n = qr[0];
            }
            for (int i = 0; i < full.length && full[i] == 0; i++) {
                b.append('1');
            }
            return b.reverse().toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
