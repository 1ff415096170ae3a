package dev.locus.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Java 17 module flags of the pom's {@code locus.spark.moduleOptions}, as bin/locus reads them. */
final class SparkModuleOptions {
    private SparkModuleOptions() {}

    static List<String> fromPom() throws IOException {
        Matcher m = Pattern.compile("<locus.spark.moduleOptions>(.*)</locus.spark.moduleOptions>").matcher(Files.readString(Path.of("pom.xml")));
        if (!m.find()) {
            throw new IllegalStateException("pom.xml has no locus.spark.moduleOptions");
        }
        return Arrays.asList(m.group(1).trim().split("\\s+"));
    }
}
