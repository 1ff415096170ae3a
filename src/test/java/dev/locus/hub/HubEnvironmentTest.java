package dev.locus.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment read as huggingface_hub v0.24.6's constants.py and _token.py read it. */
class HubEnvironmentTest {
    @TempDir
    Path home;

    @Test
    void theCacheIsHfHubCacheElseHfHomeElseXdgElseHome() {
        assertThat(HubEnvironment.of(Map.of(), home).cache()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(HubEnvironment.of(Map.of("XDG_CACHE_HOME", "/xdg"), home).cache()).isEqualTo(Path.of("/xdg/huggingface/hub"));
        assertThat(HubEnvironment.of(Map.of("XDG_CACHE_HOME", "/xdg", "HF_HOME", "~/hf"), home).cache()).isEqualTo(home.resolve("hf/hub"));
        assertThat(HubEnvironment.of(Map.of("XDG_CACHE_HOME", "~/xdg"), home).cache()).isEqualTo(home.resolve("xdg/huggingface/hub"));
        assertThat(HubEnvironment.of(Map.of("HF_HUB_CACHE", "~/hub"), home).cache()).as("not expanded, as constants.py does not").isEqualTo(Path.of("~/hub"));
        assertThat(HubEnvironment.of(Map.of("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy"), home).cache()).isEqualTo(Path.of("/legacy"));
        assertThat(HubEnvironment.of(Map.of("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy", "HF_HUB_CACHE", "/hub"), home).cache())
                .isEqualTo(Path.of("/hub"));
    }

    @Test
    void theEndpointIsHfEndpointElseThePublicHub() {
        assertThat(HubEnvironment.of(Map.of(), home).endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(HubEnvironment.of(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/"), home).endpoint()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        org.junit.jupiter.api.Assertions.assertThrows(HubException.class, () -> HubEnvironment.of(Map.of("HF_ENDPOINT", "127.0.0.1:8080"), home));
    }

    @Test
    void theTokenIsHfTokenElseTheOldVariableElseTheTokenFile() throws Exception {
        assertThat(HubEnvironment.of(Map.of(), home).token()).isNull();
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_file\n");
        assertThat(HubEnvironment.of(Map.of(), home).token()).isEqualTo("hf_file");
        Files.writeString(home.resolve("elsewhere"), "hf_elsewhere");
        assertThat(HubEnvironment.of(Map.of("HF_TOKEN_PATH", home.resolve("elsewhere").toString()), home).token()).isEqualTo("hf_elsewhere");
        assertThat(HubEnvironment.of(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_old"), home).token()).isEqualTo("hf_old");
        assertThat(HubEnvironment.of(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_old", "HF_TOKEN", "hf_new"), home).token()).isEqualTo("hf_new");
        assertThat(HubEnvironment.of(Map.of("HF_TOKEN", "hf_secret"), home).toString()).doesNotContain("hf_secret");
    }

    @Test
    void offlineIsEitherVariableTrueAsHuggingfaceHubReadsTrue() {
        for (String yes : new String[] {"1", "ON", "yes", "True"}) {
            assertThat(HubEnvironment.of(Map.of("HF_HUB_OFFLINE", yes), home).offline()).as(yes).isTrue();
            assertThat(HubEnvironment.of(Map.of("TRANSFORMERS_OFFLINE", yes), home).offline()).as(yes).isTrue();
        }
        for (String no : new String[] {"0", "false", "", "2"}) {
            assertThat(HubEnvironment.of(Map.of("HF_HUB_OFFLINE", no), home).offline()).as(no).isFalse();
        }
    }
}
