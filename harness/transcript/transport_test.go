package transcript

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/loopback"
)

const (
	clientSecret = "s3cret-app-a"
	issuedToken  = "2YotnFZFEjr1zCsicMWpAA"
	issuedCookie = "f3a9c2d1e0b7"
)

func recordingClient(log *Log) *http.Client {
	return &http.Client{Transport: &Transport{Base: http.DefaultTransport, Log: log}, Timeout: 5 * time.Second}
}

func TestTransportRecordsRedactedExchange(t *testing.T) {
	var seenStep, seenBody, seenAuth string
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenStep = r.Header.Get(StepHeader)
		seenAuth = r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		seenBody = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Set-Cookie", "sid="+issuedCookie+"; Path=/; HttpOnly")
		io.WriteString(w, `{"access_token":"`+issuedToken+`","token_type":"Bearer"}`)
	}))
	log := NewLog(NewRedactor(clientSecret).Child())
	body := "grant_type=authorization_code&code=Qcb0Orv1zh30vL1MPRsbm&client_id=app-a&client_secret=" + clientSecret
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/token?code=Qcb0Orv1zh30vL1MPRsbm", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("app-a:"+clientSecret)))
	req.Header.Set(StepHeader, "valid redemption")
	resp, err := recordingClient(log).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	t.Run("the caller gets the raw body", func(t *testing.T) {
		if !strings.Contains(string(got), issuedToken) || resp.ContentLength != int64(len(got)) {
			t.Errorf("body = %q (Content-Length %d), want the token response as sent", got, resp.ContentLength)
		}
	})
	t.Run("the server gets the raw request without the step header", func(t *testing.T) {
		if seenStep != "" || seenBody != body || seenAuth != req.Header.Get("Authorization") {
			t.Errorf("server saw step %q, body %q, Authorization %q", seenStep, seenBody, seenAuth)
		}
	})

	recs := log.Records()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	rec := recs[0]
	checks := []struct {
		name string
		ok   bool
	}{
		{"step named", rec.Step == "valid redemption"},
		{"method", rec.Method == http.MethodPost},
		{"status", rec.Status == "200 OK"},
		{"no error", rec.Err == ""},
		{"URL redacted", !strings.Contains(rec.URL, "Qcb0Orv1zh30vL1MPRsbm") && strings.Contains(rec.URL, "/token?code=‹code:")},
		{"Basic shown without the secret", strings.Contains(rec.Request, "Authorization: Basic base64(app-a:‹secret:")},
		{"request body redacted", strings.Contains(rec.Request, "client_id=app-a&client_secret=‹secret:") && strings.Contains(rec.Request, "code=‹code:")},
		{"request has no step header", !strings.Contains(rec.Request, StepHeader)},
		{"response body redacted", strings.Contains(rec.Response, `"access_token":"‹access_token:`) && strings.Contains(rec.Response, `"token_type":"Bearer"`)},
		{"response cookie redacted", strings.Contains(rec.Response, "Set-Cookie: sid=‹cookie:")},
		{"response headers kept", strings.Contains(rec.Response, "Cache-Control: no-store")},
		{"duration measured", rec.Duration > 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: record is\n%s", c.name, rec)
		}
	}
	printed := log.String()
	for _, raw := range []string{clientSecret, issuedToken, issuedCookie, "Qcb0Orv1zh30vL1MPRsbm",
		base64.StdEncoding.EncodeToString([]byte("app-a:" + clientSecret))} {
		if strings.Contains(printed, raw) || strings.Contains(rec.String(), raw) {
			t.Errorf("the transcript shows %q:\n%s", raw, printed)
		}
	}
	if !strings.HasPrefix(printed, "# valid redemption\n→ POST http://127.0.0.1:") || !strings.Contains(printed, "← 200 OK (") {
		t.Errorf("transcript format:\n%s", printed)
	}
}

func TestTransportBodyLimit(t *testing.T) {
	cases := []struct {
		name    string
		size    int
		wantErr bool
	}{
		{"exactly MaxBody", MaxBody, false},
		{"one byte over", MaxBody + 1, true},
		{"far over", 3 * MaxBody, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Write([]byte(strings.Repeat("x", tc.size)))
			}))
			log := NewLog(NewRedactor())
			resp, err := recordingClient(log).Get(srv.URL + "/big")
			rec, ok := log.Last()
			if !ok {
				t.Fatal("nothing recorded")
			}
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if len(b) != tc.size || rec.Err != "" {
					t.Errorf("read %d bytes (record error %q), want %d and no error", len(b), rec.Err, tc.size)
				}
				return
			}
			if err == nil {
				resp.Body.Close()
				t.Fatal("Get succeeded, want ErrBodyTooLarge")
			}
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Errorf("error %v does not wrap ErrBodyTooLarge", err)
			}
			for _, want := range []string{"larger than 1048576 bytes", srv.URL + "/big"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if !strings.Contains(rec.Err, "larger than 1048576 bytes") || !strings.Contains(rec.Err, "200 OK") {
				t.Errorf("record error = %q, want the limit and the status", rec.Err)
			}
		})
	}
}

func TestTransportRecordsTransportErrors(t *testing.T) {
	srv := loopback.Server(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	addr := srv.URL
	srv.Close()
	log := NewLog(NewRedactor())
	_, err := recordingClient(log).Get(addr + "/token?code=Qcb0Orv1zh30vL1MPRsbm")
	if err == nil {
		t.Fatal("Get to a closed server succeeded")
	}
	rec, ok := log.Last()
	if !ok || rec.Err == "" || rec.Status != "" {
		t.Fatalf("record = %+v, want one with the error", rec)
	}
	if strings.Contains(rec.String(), "Qcb0Orv1zh30vL1MPRsbm") || !strings.Contains(rec.String(), "← error after") {
		t.Errorf("record:\n%s", rec)
	}
}

func TestTransportKeepsRequestBodyForRetries(t *testing.T) {
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	log := NewLog(NewRedactor())
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("a=1"))
	tr := &Transport{Base: http.DefaultTransport, Log: log}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.GetBody == nil {
		t.Fatal("GetBody not set")
	}
	body, _ := req.GetBody()
	if b, _ := io.ReadAll(body); string(b) != "a=1" {
		t.Errorf("GetBody gives %q, want a=1", b)
	}
}

func TestLog(t *testing.T) {
	log := NewLog(NewRedactor("s3cret-app-a"))
	if _, ok := log.Last(); ok {
		t.Error("Last of an empty log reports a record")
	}
	log.Note("using secret %s for %s", "s3cret-app-a", "app-a")
	log.Append(Record{Method: "GET", URL: "https://id.example/x", Status: "204 No Content"})
	recs := log.Records()
	recs[0].Step = "changed"
	cases := []struct {
		name string
		ok   bool
	}{
		{"Records is a copy", log.Records()[0].Step != "changed"},
		{"Note is redacted", strings.Contains(log.Records()[0].Step, "using secret ‹secret:") && !strings.Contains(log.Records()[0].Step, "s3cret-app-a")},
		{"Last is the latest", func() bool { r, ok := log.Last(); return ok && r.Status == "204 No Content" }()},
		{"String prints notes as comments", strings.HasPrefix(log.String(), "# using secret ‹secret:")},
		{"String prints exchanges", strings.Contains(log.String(), "→ GET https://id.example/x\n← 204 No Content (0s)\n")},
	}
	for _, c := range cases {
		if !c.ok {
			t.Errorf("%s:\n%s", c.name, log)
		}
	}
}

func TestRecordString(t *testing.T) {
	cases := []struct {
		name string
		rec  Record
		want string
	}{
		{
			name: "exchange with step, request and response",
			rec: Record{Step: "s", Method: "POST", URL: "u", Request: "A: b\n\nbody", Status: "400 Bad Request",
				Response: "C: d\n\n{}", Duration: 1500 * time.Microsecond},
			want: "# s\n→ POST u\n  A: b\n  \n  body\n← 400 Bad Request (1.5ms)\n  C: d\n  \n  {}\n",
		},
		{
			name: "error",
			rec:  Record{Method: "GET", URL: "u", Err: "boom", Duration: time.Second},
			want: "→ GET u\n← error after 1s: boom\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rec.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCaptureGivesEachRequestItsRecord(t *testing.T) {
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) }))
	log := NewLog(NewRedactor())
	c := recordingClient(log)
	const n = 8
	got := make([]*Record, n)
	done := make(chan struct{}, n)
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			ctx, rec := Capture(t.Context())
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/p"+strings.Repeat("x", i), nil)
			if resp, err := c.Do(req); err == nil {
				resp.Body.Close()
			}
			got[i] = rec
		}()
	}
	for range n {
		<-done
	}
	for i, rec := range got {
		if want := srv.URL + "/p" + strings.Repeat("x", i); rec.URL != want || rec.Status != "200 OK" {
			t.Errorf("request %d captured %s %s, want %s", i, rec.URL, rec.Status, want)
		}
	}
	if len(log.Records()) != n {
		t.Errorf("%d records in the log, want %d", len(log.Records()), n)
	}
}

// A token in a success response's header is hidden (the body is read, and learned from, before
// the headers are shown); provider bytes are escaped; bodies and header values are excerpts.
func TestTransportRecordIsCleanAndBounded(t *testing.T) {
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo-Token", issuedToken)
		w.Header().Set("X-Big", strings.Repeat("h", 100_000))
		if r.URL.Path == "/big" {
			w.WriteHeader(400)
			io.WriteString(w, "\x1b[2J"+strings.Repeat("b", 500_000))
			return
		}
		io.WriteString(w, `{"access_token":"`+issuedToken+`","note":"\u001b]0;owned\u0007"}`+"\x1b[32m39 passed\r")
	}))
	log := NewLog(NewRedactor())
	for _, path := range []string{"/token", "/big"} {
		resp, err := recordingClient(log).Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	text := log.String()
	if strings.Contains(text, issuedToken) {
		t.Errorf("the token in the response header shows:\n%.2000s", text)
	}
	if strings.ContainsAny(text, "\x1b\r\a") {
		t.Errorf("control characters reach the transcript:\n%.2000s", text)
	}
	for _, want := range []string{`\x1b[32m39 passed\r`, "[cut: the first ", "of 100000 shown]", "of 500004 shown]"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if len(text) > 3*ShownBody {
		t.Errorf("transcript of two exchanges is %d bytes; want excerpts", len(text))
	}
}

// A record made before a value was learned (a parallel request echoing a token whose issuing
// answer is read later) is hidden when the transcript is shown.
func TestLogStringHidesValuesLearnedLater(t *testing.T) {
	log := NewLog(NewRedactor())
	log.Append(Record{Method: "POST", URL: "http://op/token", Status: "400 Bad Request",
		Response: `{"error":"invalid_grant","error_description":"already redeemed: rt-late-0123456789"}`})
	log.Redactor.Learn("refresh_token", "rt-late-0123456789")
	if got := log.String(); strings.Contains(got, "rt-late-0123456789") {
		t.Errorf("transcript shows a value learned after its record:\n%s", got)
	}
}
