package io.auditwatch.notify;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import java.io.PrintWriter;
import java.util.function.Consumer;

/** Prints one readable line per alert (level, rule, who, what, where), attacker-controlled strings escaped. */
public final class ConsoleNotifier implements Consumer<Alert> {
    private final PrintWriter out;

    public ConsoleNotifier(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void accept(Alert alert) {
        out.println(ConsoleFormat.line(alert));
        out.flush();
    }
}
