package dev.locus.claims;

import dev.locus.measure.Measurement;
import dev.locus.measure.Subject;
import dev.locus.report.Charts;
import io.qameta.allure.Allure;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * What a claim spec saw, filed before its verdict is asserted: the subject's inputs as Allure
 * parameters, the shared run's phases as steps, the claim's result as {@code <claim>.json} in the
 * subject's run folder, and as attachments its JSON, its table as CSV and its chart as PNG.
 */
final class ClaimRecording implements InvocationInterceptor {
    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
            ExtensionContext extension) throws Throwable {
        Subject subject = (Subject) context.getArguments().get(0);
        ClaimSpec<?> spec = (ClaimSpec<?>) context.getTarget().orElseThrow();
        ClaimSubjects.Evaluated e = ClaimSubjects.evaluated(subject);
        parameters(e);
        steps(e);
        ClaimResult result = e.claims().named(spec.unit().name());
        Allure.step("evaluate " + result.claim() + ": " + result.outcome().verdict().label() + " (expected "
                + result.outcome().expectation() + "): " + result.outcome().reason());
        Path file = ClaimResults.write(e.folder(), result, e.claims().gain(), e.results().provenance());
        String json = ClaimResults.json(result, e.claims().gain(), e.results().provenance());
        attach(result.claim() + ".json", "application/json", json.getBytes(StandardCharsets.UTF_8), "json");
        attach(result.claim() + " table", "text/csv", csv(spec.unit(), e.claims()).getBytes(StandardCharsets.UTF_8), "csv");
        attach(result.claim() + " chart", "image/png", png(spec.unit(), e.claims()), "png");
        System.err.printf("locus claims: %s %s: %s (expected %s): %s -> %s%n", subject.name(), result.claim(),
                result.outcome().verdict().label(), result.outcome().expectation(), result.outcome().reason(), file);
        invocation.proceed();
    }

    /** The run's inputs: subject, expectations file, seed, the sha256 of the weights and the pairs. */
    static void parameters(ClaimSubjects.Evaluated e) {
        Allure.parameter("subject", e.subject().name());
        Allure.parameter("expectations", e.subject().expectationsFile().toString());
        Allure.parameter("seed", e.expectations().run().seed());
        e.results().provenance().sha256().forEach((file, hash) -> {
            if (file.endsWith(".safetensors") || file.equals("pairs")) {
                Allure.parameter("sha256 " + file, hash);
            }
        });
    }

    /** The shared run's phases, each with the figure it produced. */
    private static void steps(ClaimSubjects.Evaluated e) {
        Measurement r = e.measurement();
        Allure.step("clean margins: " + r.pairs() + " pairs (" + r.sample().skipped().size() + " skipped), " + e.claims().gain().sentence());
        Allure.step("layer sweeps: both directions at block_out.L and resid_post.L, L = 0.." + (r.layers() - 1)
                + "; L* = " + r.peakLayer() + " (" + r.peak().chosenBy() + ")");
        Allure.step("dose: " + r.doseAndControls().dose().size() + " alphas at layer " + r.peakLayer() + ", noise and shuffled controls");
        Allure.step("subspace: SVD of the fit pairs' differences, ranks "
                + r.subspaces().ranks().stream().map(Measurement.RankPatches::k).toList()
                + " and random frames on " + r.heldOutIndices().length + " held-out pairs");
        Allure.step("LASSO features: block_out distances, " + r.pairs() + " pairs x " + r.layers() + " layers");
    }

    private static void attach(String name, String type, byte[] content, String extension) {
        Allure.addAttachment(name, type, new ByteArrayInputStream(content), extension);
    }

    private static <R extends ClaimResult> String csv(Claim<?, R> claim, Claims claims) {
        return claim.csv(claims.of(claim));
    }

    private static <R extends ClaimResult> byte[] png(Claim<?, R> claim, Claims claims) {
        return Charts.png(claim.chart(claims.of(claim)));
    }
}
