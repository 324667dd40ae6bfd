package io.stackctl.deploy;

import java.time.Instant;
import java.util.List;

/**
 * One rollout of the app: what its replicas run (image id and compose config hash, the pair compose itself compares)
 * and how the rollout ended. Its settings are saved beside the history, so a rollback can bring it back exactly.
 * {@code configHash} is the hash compose labelled the replicas with; {@code declaredSha256} fingerprints what declared
 * them (compose/.env and compose.yaml), null in histories from before it was kept. {@code analysis} holds the metric
 * analysis of each batch when the monitoring profile judged the rollout.
 */
public record Release(
        int id,
        Instant createdAt,
        String imageId,
        String imageTag,
        String configHash,
        String envSha256,
        int replicas,
        String strategy,
        Status status,
        long durationMs,
        String note,
        String declaredSha256,
        List<AnalysisStep> analysis) {

    public Release {
        analysis = analysis == null ? List.of() : List.copyOf(analysis); // none in histories from before it was kept
    }

    public enum Status {
        /** Rolling out now, or stackctl stopped before it finished. */
        deploying,
        /** What the replicas run now. */
        active,
        /** Was active; a later release replaced it. */
        replaced,
        /** Never fully served: rolled back automatically, with the reason in the note. */
        rolled_back,
        /** Its stackctl stopped before it finished (killed, Ctrl-C, the engine gone); the next command repaired it. */
        interrupted
    }

    public boolean sameRunAs(String otherImageId, String otherConfigHash) {
        return imageId.equals(otherImageId) && configHash.equals(otherConfigHash);
    }

    public Release withConfigHash(String labelled) {
        return new Release(
                id,
                createdAt,
                imageId,
                imageTag,
                labelled,
                envSha256,
                replicas,
                strategy,
                status,
                durationMs,
                note,
                declaredSha256,
                analysis);
    }

    public Release withStatus(Status newStatus, long newDurationMs, String newNote) {
        return new Release(
                id,
                createdAt,
                imageId,
                imageTag,
                configHash,
                envSha256,
                replicas,
                strategy,
                newStatus,
                newDurationMs,
                newNote,
                declaredSha256,
                analysis);
    }

    /** With the metric analysis of each of its rollout's batches, as far as it went. */
    public Release withAnalysis(List<AnalysisStep> steps) {
        return new Release(
                id,
                createdAt,
                imageId,
                imageTag,
                configHash,
                envSha256,
                replicas,
                strategy,
                status,
                durationMs,
                note,
                declaredSha256,
                steps);
    }

    public String shortImage() {
        return shortId(imageId);
    }

    public String shortConfig() {
        return shortId(configHash);
    }

    /** The first 12 hex digits of an id or hash, without a {@code sha256:} prefix, as docker prints them. */
    public static String shortId(String id) {
        return io.stackctl.engine.ReleaseImage.shortId(id);
    }
}
