package dev.locus.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** The flags bin/locus and the tests give a JVM that embeds Spark are the ones Spark's own launcher gives. */
class SparkModuleOptionsTest {
    /** Only MLlib uses the Vector API; adding its incubator module would print a warning on every bin/locus command. */
    private static final String LEFT_OUT = "--add-modules=jdk.incubator.vector";

    @Test
    void thePomsFlagsAreSparksOwnButTheVectorModule() throws IOException {
        List<String> spark = new ArrayList<>(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        assertThat(spark).contains(LEFT_OUT);
        spark.remove(LEFT_OUT);
        assertThat(SparkModuleOptions.fromPom()).containsExactlyElementsOf(spark);
    }
}
