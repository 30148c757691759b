package gatehouse.alerts;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import gatehouse.platform.Json;
import gatehouse.platform.LogSafe;
import gatehouse.platform.OutboundHttp;
import gatehouse.platform.OutboundProperties;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends new alerts to the channels routed for their type, on a thread of its own: raising an alert
 * only queues the sending, so no request waits on a mail server. A failed send is retried with
 * growing delays ({@code gatehouse.alerts.retry-delay} doubled, up to 5 attempts); the channel keeps
 * its last error. At most 1000 sends wait; beyond that the newest are dropped with an error log.
 */
@Component
class AlertDelivery implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(AlertDelivery.class);
    static final int ATTEMPTS = 5;
    private static final int MAX_WAITING = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Duration retryDelay;
    private final ScheduledThreadPoolExecutor senders;
    private final OutboundHttp.Policy outbound;

    AlertDelivery(@Value("${gatehouse.alerts.retry-delay:2s}") Duration retryDelay, OutboundProperties outbound) {
        this.outbound = outbound.policy(TIMEOUT, 64 * 1024);
        this.retryDelay = retryDelay;
        this.senders = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("alert-delivery").daemon(true).factory());
        this.senders.setRemoveOnCancelPolicy(true);
    }

    /**
     * Where channels and the outcome of each send are kept ({@link AlertChannels}); handed in with
     * each alert, so delivery depends on no store.
     */
    interface Channels {
        /** Every channel with its secrets. */
        List<AlertChannels.Target> targets();

        /** The outcome of the last send to a channel: null when delivered, else why not. */
        void delivered(String channelId, String error);
    }

    /** Queues the alert for every channel that routes its type; returns at once. */
    void deliver(Alert alert, Channels channels) {
        schedule(() -> {
            for (AlertChannels.Target t : channels.targets()) {
                if (t.channel().routes(alert.type())) {
                    attempt(t, alert, 1, channels);
                }
            }
        }, Duration.ZERO);
    }

    private void attempt(AlertChannels.Target t, Alert alert, int n, Channels channels) {
        try {
            send(t, alert);
            channels.delivered(t.channel().id(), null);
        } catch (Exception e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            channels.delivered(t.channel().id(), "attempt " + n + " of " + ATTEMPTS + ": " + why);
            if (n < ATTEMPTS) {
                schedule(() -> attempt(t, alert, n + 1, channels), retryDelay.multipliedBy(1L << (n - 1)));
            } else {
                log.error("alert {} not delivered to channel '{}' after {} attempts: {}", alert.id(), t.channel().name(), ATTEMPTS, why);
            }
        }
    }

    /**
     * Sends one alert to one channel now, on the caller's thread, once (no retry): the answer says
     * what the receiver did. The channel keeps the outcome as its last send, like any delivery.
     */
    AlertChannels.TestResult sendNow(AlertChannels.Target t, Alert alert, Channels channels) {
        java.time.Instant at = java.time.Instant.now();
        try {
            Integer status = send(t, alert);
            channels.delivered(t.channel().id(), null);
            return new AlertChannels.TestResult(t.channel().id(), true, status, null, at);
        } catch (RefusedException e) {
            String why = e.getMessage();
            channels.delivered(t.channel().id(), "test: " + why);
            return new AlertChannels.TestResult(t.channel().id(), false, e.status, why, at);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            channels.delivered(t.channel().id(), "test: " + why);
            return new AlertChannels.TestResult(t.channel().id(), false, null, why, at);
        }
    }

    /** A receiver that answered, but not with 2xx. */
    private static final class RefusedException extends IllegalStateException {
        final int status;

        RefusedException(int status, String host) {
            super("HTTP " + status + " from " + host);
            this.status = status;
        }
    }

    private void schedule(Runnable r, Duration delay) {
        if (senders.getQueue().size() >= MAX_WAITING) {
            log.error("alert delivery queue full ({} waiting): a send is dropped", MAX_WAITING);
            return;
        }
        try {
            senders.schedule(r, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.warn("alert delivery is shutting down: a send is dropped");
        }
    }

    /** Sends; the receiver's HTTP status for webhooks, null for mail. */
    private Integer send(AlertChannels.Target t, Alert a) throws Exception {
        return switch (t.channel().type()) {
            case "webhook" -> post(t.url(), Json.MAPPER.valueToTree(a));
            case "slack" -> {
                ObjectNode body = Json.object();
                body.put("text", "*[" + a.severity() + "] " + a.type() + "*: " + a.subject() + "\n" + a.message());
                yield post(t.url(), body);
            }
            case "smtp" -> {
                mail(t.smtp(), a);
                yield null;
            }
            default -> throw new IllegalStateException("unknown channel type " + t.channel().type());
        };
    }

    /**
     * The channel's URL is resolved once and every address checked against
     * {@code gatehouse.http.outbound.*} before the connection goes to exactly that address (no
     * redirects, one deadline), so a webhook URL cannot reach cloud metadata or, when private
     * addresses are off, the services beside Gatehouse.
     */
    private int post(String url, Object body) {
        URI u = URI.create(url);
        OutboundHttp.Response r;
        try {
            r = OutboundHttp.post(u, java.util.Map.of("Content-Type", "application/json", "User-Agent", "Gatehouse-Alerts"),
                    Json.MAPPER.writeValueAsString(body), outbound);
        } catch (OutboundHttp.Refused e) {
            // a webhook's path is its secret (Slack): the reason names the host only
            throw new IllegalStateException(String.valueOf(e.getMessage()).replace(LogSafe.url(url), LogSafe.host(u.getHost())));
        }
        if (r.status() / 100 != 2) {
            throw new RefusedException(r.status(), LogSafe.host(u.getHost()));
        }
        return r.status();
    }

    private static void mail(AlertChannel.Smtp smtp, Alert a) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", Integer.toString(smtp.port()));
        p.put("mail.smtp.connectiontimeout", Long.toString(TIMEOUT.toMillis()));
        p.put("mail.smtp.timeout", Long.toString(TIMEOUT.toMillis()));
        p.put("mail.smtp.writetimeout", Long.toString(TIMEOUT.toMillis()));
        if (Boolean.TRUE.equals(smtp.startTls())) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        Authenticator auth = null;
        if (smtp.username() != null) {
            p.put("mail.smtp.auth", "true");
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(smtp.username(), smtp.password());
                }
            };
        }
        MimeMessage m = new MimeMessage(Session.getInstance(p, auth));
        m.setFrom(new InternetAddress(smtp.from()));
        for (String to : smtp.to()) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        }
        m.setSubject("[Gatehouse] " + a.severity() + " " + a.type() + ": " + a.subject(), "UTF-8");
        m.setText(a.message() + "\n\nalert " + a.id() + " at " + a.time() + (a.details() == null ? "" : "\n\n" + Json.string(a.details())),
                "UTF-8");
        Transport.send(m);
    }

    @Override
    public void destroy() {
        senders.shutdownNow();
    }
}
