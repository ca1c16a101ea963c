package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// assertionRecipe is the shell that makes a client assertion like the one the run sent, with the
// reproducer's own key: a report never holds an assertion (a credential until it expires), only
// how it was made. It sets CLIENT_ASSERTION and names the variables it needs.
func assertionRecipe(a verdict.Assertion) (script string, vars []string) {
	var b strings.Builder
	alg, _ := a.Header["alg"].(string)
	if a.Replayed {
		b.WriteString("# This request replays an assertion: send the request once with the CLIENT_ASSERTION made below\n" +
			"# (with a fresh code), then again exactly as below.\n")
	}
	b.WriteString("# Make the client assertion (a fresh jti; times relative to now, as the run sent them):\n")
	b.WriteString("b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }\n")
	b.WriteString("NOW=$(date +%s)\n")
	fmt.Fprintf(&b, "HEADER=$(printf %%s %s | b64url)\n", squote(compactJSON(a.Header)))

	// Claims: literal values, the times as $((NOW±n)) and jti from openssl, so the JSON is built
	// in double quotes with only those expansions.
	claims := map[string]string{}
	quoted := strings.NewReplacer("'", `'\''`) // the claims are written inside single quotes
	for k, v := range a.Claims {
		claims[k] = quoted.Replace(compactJSON(v))
	}
	for k, d := range a.Times {
		claims[k] = fmt.Sprintf("$((NOW%+d))", d)
	}
	claims["jti"] = `"'"$(openssl rand -hex 16)"'"`
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		v := claims[k]
		if strings.HasPrefix(v, "$((") {
			v = `'"` + v + `"'`
		}
		parts = append(parts, quoted.Replace(compactJSON(k))+":"+v)
	}
	fmt.Fprintf(&b, "CLAIMS=$(printf %%s '{%s}' | b64url)\n", strings.ReplaceAll(strings.Join(parts, ","), "\n", ""))
	b.WriteString("SIGNING_INPUT=\"$HEADER.$CLAIMS\"\n")

	sign := ""
	switch {
	case alg == "none":
		sign = `SIGNATURE=""`
	case strings.HasPrefix(alg, "HS"):
		vars = append(vars, "MAC_KEY")
		sign = fmt.Sprintf(`SIGNATURE=$(printf %%s "$SIGNING_INPUT" | openssl dgst -sha%s -mac HMAC -macopt "key:$MAC_KEY" -binary | b64url)`, alg[2:])
	case strings.HasPrefix(alg, "RS"):
		vars = append(vars, "PRIVATE_KEY_FILE")
		sign = fmt.Sprintf(`SIGNATURE=$(printf %%s "$SIGNING_INPUT" | openssl dgst -sha%s -sign "$PRIVATE_KEY_FILE" -binary | b64url)`, alg[2:])
	case strings.HasPrefix(alg, "PS"):
		vars = append(vars, "PRIVATE_KEY_FILE")
		sign = fmt.Sprintf(`SIGNATURE=$(printf %%s "$SIGNING_INPUT" | openssl dgst -sha%s -sign "$PRIVATE_KEY_FILE" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -binary | b64url)`, alg[2:])
	case alg == "ES256" || alg == "ES384" || alg == "ES512":
		vars = append(vars, "PRIVATE_KEY_FILE")
		hexLen := map[string]int{"ES256": 64, "ES384": 96, "ES512": 132}[alg]
		// JWS wants r||s of fixed size, openssl writes DER: take the two INTEGERs and pad them.
		sign = fmt.Sprintf(`SIGNATURE=$(printf %%s "$SIGNING_INPUT" | openssl dgst -sha%s -sign "$PRIVATE_KEY_FILE" -binary | openssl asn1parse -inform DER | awk -F: '/INTEGER/ {v=$NF; while (length(v) > %d) v=substr(v, 3); while (length(v) < %d) v="0" v; printf "%%s", v}' | xxd -r -p | b64url)`,
			alg[2:], hexLen, hexLen)
	case alg == "EdDSA":
		vars = append(vars, "PRIVATE_KEY_FILE")
		sign = `SIGNATURE=$(printf %s "$SIGNING_INPUT" > /tmp/grantcheck-signing-input; openssl pkeyutl -sign -inkey "$PRIVATE_KEY_FILE" -rawin -in /tmp/grantcheck-signing-input | b64url)`
	default:
		sign = fmt.Sprintf("# sign SIGNING_INPUT with %s using your JOSE library, then set SIGNATURE", orUnknown(alg))
	}
	b.WriteString(sign + "\n")
	b.WriteString("CLIENT_ASSERTION=\"$SIGNING_INPUT.$SIGNATURE\"\n")
	return b.String(), vars
}

func compactJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return `""`
	}
	return string(data)
}

func orUnknown(s string) string {
	if s == "" {
		return "the algorithm the client registered"
	}
	return s
}
