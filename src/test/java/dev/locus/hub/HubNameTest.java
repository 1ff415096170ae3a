package dev.locus.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubNameTest {
    @Test
    void aNameIsOrgSlashNameWithAnOptionalRevisionDefaultMain() {
        assertThat(HubName.parseOrNull("meta-llama/Llama-3.2-1B")).isEqualTo(new HubName("meta-llama/Llama-3.2-1B", "main"));
        assertThat(HubName.parseOrNull("meta-llama/Llama-3.2-1B@v1.0")).isEqualTo(new HubName("meta-llama/Llama-3.2-1B", "v1.0"));
        assertThat(HubName.parseOrNull("Qwen/Qwen2.5-0.5B@refs/pr/1").revision()).isEqualTo("refs/pr/1");
        HubName pinned = HubName.parseOrNull("meta-llama/Llama-3.2-1B@4e20de362430cd3b72f300e6b0f18e50e7166e08");
        assertThat(pinned.pinned()).isTrue();
        assertThat(pinned.folderName()).isEqualTo("models--meta-llama--Llama-3.2-1B");
        assertThat(HubName.parseOrNull("meta-llama/Llama-3.2-1B").pinned()).isFalse();
    }

    @Test
    void pathsAndMalformedNamesAreNotNames() {
        for (String notAName : new String[] {"/models/llama", "./models/llama", "models", "a/b/c", "../llama/x", "org/name@", "org/na..me",
                "org/name--x", "-org/name", "org/name.", "org/name.git", "org/name@../main", "org/na me", "C:\\models\\llama"}) {
            assertThat(HubName.parseOrNull(notAName)).as(notAName).isNull();
        }
    }

    @Test
    void aFolderThatExistsWinsOverTheHubName(@TempDir Path tmp) throws Exception {
        Path folder = tmp.resolve("org/name");
        Files.createDirectories(folder);
        assertThat(CheckpointSource.parse(folder.toString())).isEqualTo(new CheckpointSource.Folder(folder));
        String relative = Path.of("").toAbsolutePath().relativize(folder).toString();
        assertThat(CheckpointSource.parse(relative)).as("a relative folder").isEqualTo(new CheckpointSource.Folder(Path.of(relative)));
        assertThat(CheckpointSource.parse("locus-test/not-a-folder-here")).isEqualTo(new CheckpointSource.Hub(new HubName("locus-test/not-a-folder-here", "main")));
        assertThat(CheckpointSource.parse("/no/such/folder")).isEqualTo(new CheckpointSource.Folder(Path.of("/no/such/folder")));
    }
}
