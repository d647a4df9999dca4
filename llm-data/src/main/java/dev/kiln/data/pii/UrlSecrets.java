package dev.kiln.data.pii;

/**
 * [{@code url-password}] the password of {@code scheme://user:password@host}, and [{@code
 * slack-webhook}] the secret path of {@code https://hooks.slack.com/services/...}.
 */
final class UrlSecrets {

    private UrlSecrets() {}

    private static final String SLACK_HOOK = "hooks.slack.com/services/";

    static int at(Scan sc, int colon) {
        String s = sc.s;
        int n = sc.n;
        int p = colon + 3;
        int userStart = p;
        int pass = -1;
        int at = -1;
        while (p < n && p - colon < 512) {
            char c = s.charAt(p);
            if (c == '/' || c == '?' || c == '#' || c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '"'
                    || c == '\'' || c == '<' || c == '>' || c == '`' || c == '\\') {
                break;
            }
            if (c == ':' && pass < 0 && at < 0) {
                pass = p + 1;
            } else if (c == '@') {
                at = p;
            }
            p++;
        }
        if (pass > userStart && at > pass) {
            String pw = s.substring(pass, at);
            if (!Placeholders.isPlaceholder(pw) && !pw.startsWith("$") && !pw.startsWith("{") && !pw.startsWith("%")) {
                sc.add(PiiType.PASSWORD, pass, at, "url-password");
            }
            return at + 1; // the host is no email
        }
        if (s.startsWith(SLACK_HOOK, userStart)) {
            int a = userStart + SLACK_HOOK.length();
            int q = a;
            while (q < n && (Scan.isWord(s.charAt(q)) || s.charAt(q) == '/')) {
                q++;
            }
            if (q - a >= 20) {
                sc.add(PiiType.KEY, a, q, "slack-webhook");
            }
            return q;
        }
        return colon + 3;
    }
}
