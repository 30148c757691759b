package gatehouse.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.features.FeatureCommands;
import gatehouse.catalog.features.FeatureSettings;
import gatehouse.identity.UpstreamClients;
import gatehouse.platform.Json;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.ProvisioningSettings;
import gatehouse.platform.ProblemException;
import gatehouse.platform.Reloadable;
import gatehouse.platform.StartupProblem;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Applies {@code --config FILE.yaml} at start-up through the same service the admin API uses.
 * Servers and gateways are matched by name; only differences are written. A file is applied in one
 * transaction: a bad file changes nothing and stops the start with a few lines naming the file, the
 * line and what would be valid. It runs before the bootstrap runners, so a failed start leaves no
 * one-time secret behind that nobody saw.
 */
@Component
@Order(-10)
public class ConfigApplier implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(ConfigApplier.class);
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** {@code ${NAME}}: a value read from the environment at start. */
    private static final java.util.regex.Pattern ENV_REFERENCE = java.util.regex.Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)}");

    private static final String FIX = "Correct the file and start again; nothing from it was applied.";

    private final CatalogService catalog;
    private final FeatureCommands features;
    private final FeatureSettings featureSettings;
    private final TransactionTemplate tx;
    private final List<Reloadable> views;
    private final UpstreamClients clients;
    private final Environment environment;

    private final gatehouse.catalog.ServerProbe probe;

    public ConfigApplier(CatalogService catalog, FeatureCommands features, FeatureSettings featureSettings, PlatformTransactionManager transactions,
                         List<Reloadable> views, UpstreamClients clients, Environment environment, gatehouse.catalog.ServerProbe probe) {
        this.probe = probe;
        this.clients = clients;
        this.environment = environment;
        this.catalog = catalog;
        this.features = features;
        this.featureSettings = featureSettings;
        this.tx = new TransactionTemplate(transactions);
        this.views = views;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        for (String file : configFiles(args.getSourceArgs())) {
            int changes = applyFile(Path.of(file));
            log.info("applied configuration from {} ({} change(s))", file, changes);
        }
    }

    /**
     * Reads and applies one file, all or nothing: any error rolls back every change the file made
     * and re-reads the in-memory views, so nothing of it remains.
     */
    public int applyFile(Path file) throws IOException {
        DeclarativeConfig config = read(file);
        String text = Files.readString(file);
        try {
            Integer changes = tx.execute(status -> apply(config, new Source(file, text)));
            return changes == null ? 0 : changes;
        } catch (RuntimeException e) {
            for (Reloadable view : views) {
                try {
                    view.reload();
                } catch (RuntimeException again) {
                    log.warn("could not re-read {} after the failed configuration: {}", view.getClass().getSimpleName(), again.getMessage());
                }
            }
            throw e;
        }
    }

    /** Where an entry sits in the file, for the error message; null when applied from code. */
    private record Source(Path file, String text) {
        String at(String pointer) {
            Integer line = lineOf(text, pointer);
            return file + (line != null ? ", line " + line : "");
        }
    }

    /**
     * The files named by {@code --config FILE} (the documented form, which Spring's option parser
     * reads as a flag plus a stray argument) and {@code --config=FILE}, in order.
     */
    static List<String> configFiles(String[] args) {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalStateException("--config needs a file: --config FILE.yaml");
                }
                files.add(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                files.add(args[i].substring("--config=".length()));
            }
        }
        return files;
    }

    public static DeclarativeConfig read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new StartupProblem("configuration file " + file.toAbsolutePath() + " cannot be read",
                    "Check the path given to --config and that the file is readable by this user.");
        }
        String text = Files.readString(file);
        try {
            return YAML.readValue(text, DeclarativeConfig.class);
        } catch (JacksonException e) {
            Integer line = keyLine(text, e.getPath());
            if (line == null && e.getLocation() != null) {
                line = e.getLocation().getLineNr();
            }
            throw new StartupProblem(file + (line != null ? ", line " + line : "") + ": " + describe(e), FIX, e);
        }
    }

    /** What is wrong, in the file's words: an unknown key with the nearest known one, a value of the wrong shape. */
    static String describe(JacksonException e) {
        if (e instanceof tools.jackson.databind.exc.UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds() == null ? List.of()
                    : u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            String nearest = known.stream().min(java.util.Comparator.comparingInt(k -> distance(k, u.getPropertyName()))).orElse(null);
            String hint = nearest != null && distance(nearest, u.getPropertyName()) <= Math.max(2, u.getPropertyName().length() / 3)
                    ? "; did you mean '" + nearest + "'?" : "";
            return "unknown key '" + u.getPropertyName() + "'" + hint + " (valid here: " + String.join(", ", known) + ")";
        }
        if (e instanceof tools.jackson.databind.exc.MismatchedInputException m && m.getPath() != null && !m.getPath().isEmpty()) {
            JacksonException.Reference last = m.getPath().getLast();
            String key = last.getPropertyName() != null ? last.getPropertyName() : "item " + last.getIndex();
            return "'" + key + "' must be " + gatehouse.platform.JsonShapes.of(m.getTargetType());
        }
        String msg = e.getOriginalMessage();
        return msg == null ? e.getClass().getSimpleName() : msg;
    }

    /** Levenshtein distance, for "did you mean". */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = Character.toLowerCase(a.charAt(i - 1)) == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * The line of the key an error is about. Records are built after all their keys are read, so
     * the error's own location is past the entry, not at the key.
     */
    private static Integer keyLine(String text, List<JacksonException.Reference> path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        StringBuilder pointer = new StringBuilder();
        for (JacksonException.Reference r : path) {
            pointer.append('/').append(r.getPropertyName() != null ? r.getPropertyName() : String.valueOf(r.getIndex()));
        }
        return lineOf(text, pointer.toString());
    }

    /**
     * The line where the value at a JSON pointer starts ({@code /servers/2}, {@code /servers/2/url}),
     * or the line of the nearest enclosing entry found; null when the text has none of it.
     */
    static Integer lineOf(String text, String pointer) {
        for (String p = pointer; !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
            try (JsonParser parser = YAML.createParser(text)) {
                for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                    boolean entry = t == JsonToken.PROPERTY_NAME || t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY;
                    if (entry && parser.streamReadContext().pathAsPointer().toString().equals(p)) {
                        return parser.currentTokenLocation().getLineNr();
                    }
                }
            } catch (JacksonException ignored) {
                // the text does not tokenize as far as the entry; try the enclosing one
            }
        }
        return null;
    }

    /**
     * Applies a parsed file in the caller's transaction (none: each change commits on its own);
     * returns the number of changes made (0 when the catalogue already matched).
     */
    public int apply(DeclarativeConfig config) {
        return apply(config, null);
    }

    private int apply(DeclarativeConfig config, Source source) {
        int changes = 0;
        int serverIndex = -1;
        for (DeclarativeConfig.Server s : config.servers()) {
            serverIndex++;
            try {
                CatalogService.ServerInput in = new CatalogService.ServerInput(s.name(), s.transport(),
                        gatehouse.catalog.ServerCommand.of(s.command(), s.args()), s.env(), s.url(), s.headers());
                // Checked before anything is written: a bad client or header leaves even a new server unwritten.
                UpstreamClients.OAuthClient oauth = s.oauth() == null ? null : oauthClient(s.oauth());
                UpstreamClients.KeyHeader header = s.credentialHeader() == null ? null
                        : new UpstreamClients.KeyHeader(s.credentialHeader().name(), s.credentialHeader().format());
                ServerDef existing = s.name() == null ? null : catalog.serverByName(s.name()).orElse(null);
                if (existing == null) {
                    existing = catalog.createServer(in);
                    changes++;
                } else if (!sameServer(existing, s)) {
                    existing = catalog.updateServer(existing.id(), in);
                    changes++;
                }
                // Absent: left as it is (the admin API may have set one); present: made to match.
                if (oauth != null && !clients.oauth(existing.id()).filter(oauth::equals).isPresent()) {
                    clients.setOAuth(existing.id(), oauth);
                    changes++;
                }
                if (header != null && !clients.configuredKeyHeader(existing.id()).filter(header::equals).isPresent()) {
                    clients.setKeyHeader(existing.id(), header);
                    changes++;
                }
            } catch (ProblemException e) {
                throw problem(source, "/servers/" + serverIndex + (e.field() != null ? "/" + e.field().replace('.', '/') : ""),
                        "server '" + s.name() + "': " + e.getMessage(), e);
            }
        }
        int gatewayIndex = -1;
        for (DeclarativeConfig.Gateway g : config.gateways()) {
            gatewayIndex++;
            int entry = -1;
            try {
                GatewayDef gateway = g.name() == null ? null : catalog.gatewayByName(g.name()).orElse(null);
                if (gateway == null) {
                    gateway = catalog.createGateway(g.name());
                    changes++;
                }
                // Settings first: they decide what the servers assigned below get approved and exposed.
                changes += applyProvisioning(gateway.id(), g.provisioning());
                for (DeclarativeConfig.GatewayServer gs : g.servers()) {
                    entry++;
                    ServerDef server = catalog.serverByName(gs.server()).orElseThrow(() -> ProblemException.invalid("server",
                            "no server named '" + gs.server() + "' (declare it under servers:)"));
                    String identity = gs.identity() == null ? "shared" : gs.identity();
                    String prefix = gs.prefix() == null ? CatalogService.defaultPrefix(server.name()) : gs.prefix();
                    String gid = gateway.id();
                    Assignment current = catalog.snapshot().assignments(gid).stream()
                            .filter(a -> a.serverId().equals(server.id())).findFirst().orElse(null);
                    if (current == null || !current.identity().wire().equals(identity) || !current.prefix().equals(prefix)) {
                        catalog.assign(gid, server.id(), identity, prefix, probe);
                        changes++;
                    }
                    changes += applySelection(gid, server.id(), FeatureKind.TOOL, gs.tools());
                    changes += applySelection(gid, server.id(), FeatureKind.PROMPT, gs.prompts());
                    changes += applySelection(gid, server.id(), FeatureKind.RESOURCE, gs.resources());
                    changes += applySelection(gid, server.id(), FeatureKind.RESOURCE_TEMPLATE, gs.resourceTemplates());
                }
            } catch (ProblemException e) {
                String at = "/gateways/" + gatewayIndex + (entry >= 0 ? "/servers/" + entry : "")
                        + (e.field() != null && entry >= 0 ? "/" + e.field() : "");
                throw problem(source, at, "gateway '" + g.name() + "': " + e.getMessage(), e);
            }
        }
        return changes;
    }

    /** The pre-registered client as configured, its secret read from the environment variable the file names. */
    private UpstreamClients.OAuthClient oauthClient(DeclarativeConfig.OAuth o) {
        String secret = null;
        if (o.clientSecret() != null) {
            java.util.regex.Matcher ref = ENV_REFERENCE.matcher(o.clientSecret().strip());
            if (!ref.matches()) {
                throw ProblemException.invalid("oauth.clientSecret", "oauth.clientSecret must name an environment variable, "
                        + "such as ${GITHUB_CLIENT_SECRET}: a secret is not written in the file");
            }
            secret = environment.getProperty(ref.group(1));
            if (secret == null || secret.isBlank()) {
                throw ProblemException.invalid("oauth.clientSecret", "oauth.clientSecret names the environment variable "
                        + ref.group(1) + ", which is not set");
            }
        }
        return new UpstreamClients.OAuthClient(o.clientId(), secret, o.scopes(), o.authorizationEndpoint(), o.tokenEndpoint());
    }

    private static StartupProblem problem(Source source, String pointer, String message, ProblemException cause) {
        return new StartupProblem((source == null ? "configuration" : source.at(pointer)) + ": " + message, FIX, cause);
    }

    private int applyProvisioning(String gatewayId, DeclarativeConfig.Provisioning p) {
        if (p == null) {
            return 0;
        }
        Map<String, String> policies = new LinkedHashMap<>();
        policies.put("tools", p.tools());
        policies.put("prompts", p.prompts());
        policies.put("resources", p.resources());
        policies.put("resourceTemplates", p.resourceTemplates());
        policies.values().removeIf(Objects::isNull);
        FeatureSettings.SettingsChange change = new FeatureSettings.SettingsChange(policies, p.autoApprove(), p.approveOnAssign(),
                p.toolBudget() == null ? null : Json.NODES.numberNode(p.toolBudget()));
        ProvisioningSettings before = featureSettings.settings(gatewayId);
        return featureSettings.updateSettings(gatewayId, change).equals(before) ? 0 : 1;
    }

    private int applySelection(String gatewayId, String serverId, FeatureKind kind, DeclarativeConfig.Selection selection) {
        if (selection == null) {
            return 0;
        }
        int changes = 0;
        for (String name : selection.enable()) {
            if (selection.disable().contains(name)) {
                throw ProblemException.invalid(kind.listKey(), "'" + name + "' is both enabled and disabled");
            }
            changes += features.setEnabledByName(gatewayId, serverId, kind, name, true);
        }
        for (String name : selection.disable()) {
            changes += features.setEnabledByName(gatewayId, serverId, kind, name, false);
        }
        return changes;
    }

    private static boolean sameServer(ServerDef d, DeclarativeConfig.Server s) {
        return d.transport().wire().equals(s.transport())
                && Objects.equals(d.command(), s.command() == null ? List.of() : gatehouse.catalog.ServerCommand.of(s.command(), s.args()))
                && Objects.equals(d.env(), s.env() == null ? java.util.Map.of() : s.env())
                && Objects.equals(d.url(), s.url())
                && Objects.equals(d.headers(), s.headers() == null ? java.util.Map.of() : s.headers());
    }
}
