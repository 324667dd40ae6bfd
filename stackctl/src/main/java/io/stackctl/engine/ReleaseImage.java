package io.stackctl.engine;

/**
 * An app image kept under its release tag, {@code <repository>:release-<short image id>}: a rebuild that moves
 * {@code :latest} on leaves every release's image startable, so a rollback can still start it.
 */
public final class ReleaseImage {

    private ReleaseImage() {}

    /** Tags {@code imageId} as the release of {@code image}'s repository; returns the reference to start it by. */
    public static String keep(Engine engine, String image, String imageId) {
        String repository = repository(image);
        String tag = tag(imageId);
        engine.tag(imageId, repository, tag);
        return repository + ":" + tag;
    }

    /** {@code release-<short image id>}. */
    public static String tag(String imageId) {
        return "release-" + shortId(imageId);
    }

    /** The image name without its tag: {@code host:5000/team/app:1.2} gives {@code host:5000/team/app}. */
    public static String repository(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(0, colon) : image;
    }

    /** The first 12 hex digits of an id or hash, without a {@code sha256:} prefix, as docker prints them. */
    public static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring("sha256:".length()) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
