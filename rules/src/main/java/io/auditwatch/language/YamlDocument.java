package io.auditwatch.language;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One YAML document of a rule file as a Jackson tree, with the line of every node, so that validation errors
 * point at a line. Jackson's tree model drops locations; this reads the token stream itself to keep them.
 * Paths are JSON pointers ({@code /detection/selection/verb}).
 */
public record YamlDocument(String file, JsonNode root, Map<String, Integer> lines) {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Every document of a (possibly multi-document) YAML text. */
    public static List<YamlDocument> parse(String file, String text) throws RuleException {
        List<YamlDocument> documents = new ArrayList<>();
        List<RuleError> errors = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(text)) {
            while (parser.nextToken() != null) {
                Map<String, Integer> lines = new HashMap<>();
                JsonNode root = read(parser, "", lines, errors, file);
                documents.add(new YamlDocument(file, root, lines));
            }
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            errors.add(new RuleError(file, where == null ? 0 : where.getLineNr(), null,
                    "not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            errors.add(new RuleError(file, 0, null, "cannot read: " + e.getMessage()));
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return documents;
    }

    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines, List<RuleError> errors,
                                 String file) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        lines.putIfAbsent(path, line);
        switch (p.currentToken()) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = path + "/" + escape(name);
                    int nameLine = p.currentTokenLocation().getLineNr();
                    if (object.has(name)) {
                        errors.add(new RuleError(file, nameLine, pointerToField(child), "duplicate key"));
                    }
                    lines.put(child, nameLine);
                    p.nextToken();
                    object.set(name, read(p, child, lines, errors, file));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(p, path + "/" + array.size(), lines, errors, file));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return NODES.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                return NODES.textNode(p.getText());
        }
    }

    /** The line of the node at {@code pointer}, else of its nearest ancestor that has one. */
    public int line(String pointer) {
        String at = pointer;
        while (true) {
            Integer line = lines.get(at);
            if (line != null) {
                return line;
            }
            int slash = at.lastIndexOf('/');
            if (slash < 0) {
                return 0;
            }
            at = at.substring(0, slash);
        }
    }

    public RuleError error(String pointer, String message) {
        return new RuleError(file, line(pointer), pointerToField(pointer), message);
    }

    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /** {@code /detection/selection/verb} as an author reads it: {@code detection.selection.verb}. */
    static String pointerToField(String pointer) {
        StringBuilder field = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (field.length() > 0) {
                field.append('.');
            }
            field.append(part.replace("~1", "/").replace("~0", "~"));
        }
        return field.toString();
    }
}
