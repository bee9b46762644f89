package org.edgellm.job.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line at its commas: a field in double quotes may hold commas, and {@code ""} in it
 * stands for a quote (RFC 4180, without line breaks inside fields). Empty fields are kept, trailing
 * ones too.
 */
final class Csv {

    private Csv() {}

    static String[] split(String line) {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        b.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    b.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(b.toString());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        out.add(b.toString());
        return out.toArray(String[]::new);
    }
}
