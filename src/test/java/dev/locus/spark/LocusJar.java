package dev.locus.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * locus's jar as {@code mvn package} lays it out beside target/runtime-classpath.txt, made from the
 * compiled classes: the tests run before Maven's package phase, and a cluster's executors are sent
 * a jar, not a class folder.
 */
final class LocusJar {
    private LocusJar() {}

    static Path build(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve("locus.jar");
        Path classes = Path.of("target/classes");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (Files.isRegularFile(p)) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
        }
        Files.writeString(dir.resolve("runtime-classpath.txt"),
                String.join(java.io.File.pathSeparator, LoopbackSparkCluster.classpathFile("runtime-classpath.txt")));
        return jar;
    }
}
