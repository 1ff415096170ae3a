package dev.locus.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * locus's compiled classes as a jar, for executors when the driver runs from Maven's class folder
 * (the gate, {@code mvn verify -Dlocus.spark=...}, runs before Maven's package phase): Spark ships
 * jars, not folders.
 */
final class ClassFolderJar {
    private ClassFolderJar() {}

    /** A jar of {@code classes} in the temporary folder, deleted when this JVM exits. */
    static Path temporary(Path classes) throws IOException {
        Path jar = Files.createTempFile("locus-classes-", ".jar");
        jar.toFile().deleteOnExit();
        return write(classes, jar);
    }

    /** Writes every file under {@code classes} into {@code jar}, by its path relative to {@code classes}. */
    static Path write(Path classes, Path jar) throws IOException {
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
        return jar;
    }
}
