package io.auditwatch.language;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON Schema of a rule file document ({@value #RESOURCE}, also what an editor can check YAML against): its
 * shape, before the loader's own checks of fields, modifiers, conditions and references.
 */
final class RuleSchema {
    static final String RESOURCE = "/io/auditwatch/rules/rule.schema.json";
    private static final Schema SCHEMA = load();

    private RuleSchema() {
    }

    private static Schema load() {
        try (InputStream in = RuleSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in, InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document's departures from the schema, located; empty when it conforms. */
    static List<RuleError> check(YamlDocument doc) {
        // oneOf reports every branch's complaints; the deepest locations are the ones that help an author.
        Set<String> seen = new LinkedHashSet<>();
        List<RuleError> errors = new ArrayList<>();
        List<Error> found = SCHEMA.validate(doc.root());
        int deepest = found.stream().mapToInt(e -> e.getInstanceLocation().getNameCount()).max().orElse(0);
        for (Error error : found) {
            NodePath at = error.getInstanceLocation();
            if (at.getNameCount() < deepest || "oneOf".equals(error.getKeyword())) {
                continue;
            }
            StringBuilder pointer = new StringBuilder();
            for (int i = 0; i < at.getNameCount(); i++) {
                pointer.append('/').append(YamlDocument.escape(String.valueOf(at.getElement(i))));
            }
            if (error.getProperty() != null && "additionalProperties".equals(error.getKeyword())) {
                pointer.append('/').append(YamlDocument.escape(error.getProperty()));
            }
            RuleError located = doc.error(pointer.toString(), "does not fit the rule file schema: " + error.getMessage());
            if (seen.add(located.toString())) {
                errors.add(located);
            }
        }
        return errors;
    }
}
