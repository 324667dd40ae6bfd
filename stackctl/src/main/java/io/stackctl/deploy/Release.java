package io.stackctl.deploy;

import java.time.Instant;

/**
 * One rollout of the app: what its replicas run (image id and compose config hash, the pair compose itself compares)
 * and how the rollout ended. Its settings are saved beside the history, so a rollback can bring it back exactly.
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
        String note) {

    public enum Status {
        /** Rolling out now, or stackctl stopped before it finished. */
        deploying,
        /** What the replicas run now. */
        active,
        /** Was active; a later release replaced it. */
        replaced,
        /** Never fully served: rolled back automatically, with the reason in the note. */
        rolled_back
    }

    public boolean sameRunAs(String otherImageId, String otherConfigHash) {
        return imageId.equals(otherImageId) && configHash.equals(otherConfigHash);
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
                newNote);
    }

    public String shortImage() {
        String hex = imageId.startsWith("sha256:") ? imageId.substring("sha256:".length()) : imageId;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    public String shortConfig() {
        return configHash.substring(0, Math.min(12, configHash.length()));
    }
}
