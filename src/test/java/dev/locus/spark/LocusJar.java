package dev.locus.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * locus's jar as {@code mvn package} lays it out beside target/runtime-classpath.txt, made from the
 * compiled classes: the tests run before Maven's package phase.
 */
final class LocusJar {
    private LocusJar() {}

    static Path build(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = ClassFolderJar.write(Path.of("target/classes"), dir.resolve("locus.jar"));
        Files.writeString(dir.resolve("runtime-classpath.txt"),
                String.join(java.io.File.pathSeparator, LoopbackSparkCluster.classpathFile("runtime-classpath.txt")));
        return jar;
    }
}
