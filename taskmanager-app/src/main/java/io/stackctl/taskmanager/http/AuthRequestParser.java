package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The bodies of {@code POST /auth/register} and {@code POST /auth/login}, validated field by field. */
final class AuthRequestParser {

    static final int MIN_PASSWORD_CHARS = 10;
    static final int MAX_PASSWORD_CHARS = 256;
    static final int MAX_EMAIL_CHARS = 254;
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,49}");
    /** Deliberately loose (one @, a dot in the domain, no spaces): the only real check of an address is mail. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private static final Set<String> REGISTER_FIELDS = Set.of("username", "email", "password");
    private static final Set<String> LOGIN_FIELDS = Set.of("username", "password");

    record Registration(String username, String email, String password) {}

    record Login(String username, String password) {}

    private final ObjectMapper json;

    AuthRequestParser(ObjectMapper json) {
        this.json = json;
    }

    Registration parseRegistration(byte[] body) {
        return parseRegistration(TaskRequestParser.object(json, body, REGISTER_FIELDS, "a registration field"));
    }

    /** For the page's form, which holds the same fields. */
    Registration parseRegistration(ObjectNode object) {
        String username = username(required(object, "username"));
        String email = TaskRequestParser.text("email", required(object, "email"));
        if (email.length() > MAX_EMAIL_CHARS || !EMAIL.matcher(email).matches()) {
            throw ApiException.invalidField(
                    "email", "must be an address like name@example.org of at most " + MAX_EMAIL_CHARS + " characters");
        }
        String password = TaskRequestParser.text("password", required(object, "password"));
        int length = password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD_CHARS || length > MAX_PASSWORD_CHARS) {
            throw ApiException.invalidField(
                    "password",
                    "must be %d to %d characters, got %d".formatted(MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS, length));
        }
        if (password.toLowerCase(Locale.ROOT).contains(username)) {
            throw ApiException.invalidField("password", "must not contain the username");
        }
        return new Registration(username, email, password);
    }

    Login parseLogin(byte[] body) {
        return parseLogin(TaskRequestParser.object(json, body, LOGIN_FIELDS, "a login field"));
    }

    Login parseLogin(ObjectNode object) {
        String username =
                TaskRequestParser.text("username", required(object, "username")).toLowerCase(Locale.ROOT);
        String password = TaskRequestParser.text("password", required(object, "password"));
        // Bounded before any hashing: a megabyte "password" must not buy a megabyte of Argon2 input.
        if (username.length() > 50 || password.length() > MAX_PASSWORD_CHARS) {
            throw ApiException.invalidField(
                    username.length() > 50 ? "username" : "password",
                    "is longer than any account's (username 50, password " + MAX_PASSWORD_CHARS + " characters)");
        }
        return new Login(username, password);
    }

    private static String username(JsonNode node) {
        String value = TaskRequestParser.text("username", node).toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(value).matches()) {
            throw ApiException.invalidField(
                    "username",
                    "must be 3 to 50 characters: letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    private static JsonNode required(ObjectNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null) {
            throw ApiException.invalidField(field, "is required");
        }
        return node;
    }
}
