package dev.locus.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the Hub is and what a run may do with it, read from the environment as huggingface_hub
 * v0.24.6 reads it (its {@code constants.py} and {@code utils/_token.py}), so locus and the
 * user's Python tools share one cache, one endpoint and one token.
 *
 * @param cache the hub cache folder: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else
 *     {@code HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}
 * @param endpoint {@code HF_ENDPOINT}, else {@value #PUBLIC_HUB}
 * @param token {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the token file
 *     ({@code HF_TOKEN_PATH}, else {@code HF_HOME/token}); null when none is set
 * @param offline {@code HF_HUB_OFFLINE} or {@code TRANSFORMERS_OFFLINE} is 1, ON, YES or TRUE: no request at all
 */
public record HubEnvironment(Path cache, URI endpoint, String token, boolean offline) {
    public static final String PUBLIC_HUB = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    @Override
    public String toString() {
        return "HubEnvironment[cache=" + cache + ", endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + "]";
    }

    /** The environment of this process. */
    public static HubEnvironment current() {
        return of(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The settings {@code env} gives, {@code home} standing for {@code ~}. */
    public static HubEnvironment of(Map<String, String> env, Path home) {
        String xdg = nonEmpty(env.get("XDG_CACHE_HOME"));
        // As constants.py: only HF_HOME (or the XDG default it falls back to) has its "~" expanded.
        Path hfHome = expand(nonEmpty(env.get("HF_HOME")), home, (xdg == null ? home.resolve(".cache") : expand(xdg, home, null)).resolve("huggingface"));
        String hubCache = nonEmpty(env.get("HF_HUB_CACHE"));
        if (hubCache == null) {
            hubCache = nonEmpty(env.get("HUGGINGFACE_HUB_CACHE"));
        }
        Path cache = hubCache == null ? hfHome.resolve("hub") : Path.of(hubCache);
        String endpoint = nonEmpty(env.get("HF_ENDPOINT"));
        URI uri = endpoint(endpoint == null ? PUBLIC_HUB : endpoint.replaceAll("/+$", ""));
        String token = nonEmpty(env.get("HF_TOKEN"));
        if (token == null) {
            token = nonEmpty(env.get("HUGGING_FACE_HUB_TOKEN"));
        }
        if (token == null) {
            String tokenPath = nonEmpty(env.get("HF_TOKEN_PATH"));
            token = readToken(tokenPath == null ? hfHome.resolve("token") : Path.of(tokenPath));
        }
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        return new HubEnvironment(cache, uri, token, offline);
    }

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // named below
        }
        throw new HubException("HF_ENDPOINT", "HF_ENDPOINT", "\"" + text + "\" is not an http(s) address such as " + PUBLIC_HUB);
    }

    /** huggingface_hub's {@code _is_true}. */
    private static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.toUpperCase(Locale.ROOT));
    }

    private static String nonEmpty(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Python's os.path.expanduser for "~" and "~/...", or {@code otherwise} when the value is unset. */
    private static Path expand(String value, Path home, Path otherwise) {
        if (value == null) {
            return otherwise;
        }
        if (value.equals("~")) {
            return home;
        }
        return value.startsWith("~/") ? home.resolve(value.substring(2)) : Path.of(value);
    }

    private static String readToken(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return nonEmpty(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HubException(file.toString(), "HF_TOKEN_PATH", "the Hugging Face token file cannot be read: " + e.getMessage(), e);
        }
    }
}
