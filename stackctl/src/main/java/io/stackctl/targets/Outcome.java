package io.stackctl.targets;

import java.util.Map;

/** What a deploy or rollback did: one line for people, a document for {@code -o json}. */
public record Outcome(String summary, Map<String, Object> document) {}
