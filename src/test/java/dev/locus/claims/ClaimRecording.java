package dev.locus.claims;

import dev.locus.measure.Measurement;
import dev.locus.measure.Subject;
import dev.locus.model.Point;
import dev.locus.report.Charts;
import io.qameta.allure.Allure;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
        ClaimResult result = spec.claimOf(e.claims());
        Allure.step("evaluate " + result.claim() + ": " + result.outcome().verdict().label() + " (expected "
                + result.outcome().expected().label() + "): " + result.outcome().reason());
        Path file = ClaimResults.write(e.folder(), result, e.claims().gain(), e.results().provenance());
        String json = ClaimResults.json(result, e.claims().gain(), e.results().provenance());
        attach(result.claim() + ".json", "application/json", json.getBytes(StandardCharsets.UTF_8), "json");
        attach(result.claim() + " table", "text/csv", csv(result).getBytes(StandardCharsets.UTF_8), "csv");
        attach(result.claim() + " chart", "image/png", png(result), "png");
        System.err.printf("locus claims: %s %s: %s (expected %s): %s -> %s%n", subject.name(), result.claim(),
                result.outcome().verdict().label(), result.outcome().expected().label(), result.outcome().reason(), file);
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
        Allure.step("clean margins: " + r.pairs() + " pairs (" + r.skipped().size() + " skipped), " + e.claims().gain().sentence());
        Allure.step("layer sweeps: both directions at block_out.L and resid_post.L, L = 0.." + (r.layers() - 1)
                + "; L* = " + r.peakLayer() + " (" + r.peakChosenBy() + ")");
        Allure.step("dose: " + r.doseAlphas().length + " alphas at layer " + r.peakLayer() + ", noise and shuffled controls");
        Allure.step("subspace: SVD of the fit pairs' differences, ranks " + Arrays.toString(r.ranks())
                + " and random frames on " + r.heldOutIndices().length + " held-out pairs");
        Allure.step("LASSO features: block_out distances, " + r.pairs() + " pairs x " + r.layers() + " layers");
    }

    private static void attach(String name, String type, byte[] content, String extension) {
        Allure.addAttachment(name, type, new ByteArrayInputStream(content), extension);
    }

    private static String csv(ClaimResult result) {
        StringBuilder csv = new StringBuilder();
        if (result instanceof AsymmetryClaim.Result r) {
            csv.append("site,layer,f,f_low,f_high,r,r_low,r_high,wilcoxon_p,holm_p\n");
            for (Point.Site site : List.of(r.site(), Point.Site.RESID_POST).stream().distinct().toList()) {
                for (AsymmetryClaim.LayerEffect e : site == r.site() ? r.layers() : r.residPost()) {
                    csv.append(String.join(",", site.label(), String.valueOf(e.layer()), String.valueOf(e.f()), String.valueOf(e.fLow()),
                            String.valueOf(e.fHigh()), String.valueOf(e.r()), String.valueOf(e.rLow()), String.valueOf(e.rHigh()),
                            String.valueOf(e.wilcoxonP()), String.valueOf(e.holmP()))).append('\n');
                }
            }
        } else if (result instanceof DoseResponseClaim.Result r) {
            csv.append("alpha,mean_margin\n");
            for (int a = 0; a < r.alphas().length; a++) {
                csv.append(r.alphas()[a]).append(',').append(r.meanMargins()[a]).append('\n');
            }
        } else if (result instanceof LowRankClaim.Result r) {
            csv.append("k,recovery,random_recovery,energy\n");
            for (LowRankClaim.RankRecovery p : r.recovery()) {
                csv.append(p.k()).append(',').append(p.recovery()).append(',').append(p.randomRecovery()).append(',').append(p.energy())
                        .append('\n');
            }
        } else if (result instanceof SparseAttributionClaim.Result r) {
            csv.append("layer,coefficient,selection_frequency,univariate_r2\n");
            for (int l = 0; l < r.coefficients().length; l++) {
                csv.append(l).append(',').append(r.coefficients()[l]).append(',').append(r.selectionFrequency()[l]).append(',')
                        .append(r.univariateR2()[l]).append('\n');
            }
        }
        return csv.toString();
    }

    private static byte[] png(ClaimResult result) {
        if (result instanceof AsymmetryClaim.Result r) {
            return Charts.png(Charts.layerEffects(r));
        } else if (result instanceof DoseResponseClaim.Result r) {
            return Charts.png(Charts.doseResponse(r));
        } else if (result instanceof LowRankClaim.Result r) {
            return Charts.png(Charts.recovery(r));
        }
        return Charts.png(Charts.attribution((SparseAttributionClaim.Result) result));
    }
}
