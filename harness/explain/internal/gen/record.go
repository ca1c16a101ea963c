package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// recorder is a RoundTripper keeping every exchange unredacted, to be written as HAR: these
// are the secrets of a throwaway provider, and explain must see what a browser export shows.
type recorder struct {
	base    http.RoundTripper
	mu      sync.Mutex
	entries []exchange
}

type exchange struct {
	started  time.Time
	duration time.Duration
	req      *http.Request
	reqBody  []byte
	status   int
	statusTx string
	respHdr  http.Header
	respBody []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	start := time.Now()
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	r.mu.Lock()
	r.entries = append(r.entries, exchange{started: start, duration: time.Since(start), req: req, reqBody: body,
		status: resp.StatusCode, statusTx: resp.Status, respHdr: resp.Header.Clone(), respBody: rb})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.entries = nil
	r.mu.Unlock()
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func nvs(h http.Header) []harNV {
	out := []harNV{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{strings.ToLower(k), v})
		}
	}
	return out
}

// har renders the exchanges as HAR 1.2, as a browser's developer tools export them.
func (r *recorder) har() ([]byte, error) {
	type obj = map[string]any
	entries := []obj{}
	for _, e := range r.entries {
		reqHdr := e.req.Header.Clone()
		reqHdr.Set("Host", e.req.URL.Host)
		query := []harNV{}
		for k, vs := range e.req.URL.Query() {
			for _, v := range vs {
				query = append(query, harNV{k, v})
			}
		}
		sort.Slice(query, func(i, j int) bool { return query[i].Name < query[j].Name })
		req := obj{"method": e.req.Method, "url": e.req.URL.String(), "httpVersion": "HTTP/1.1",
			"headers": nvs(reqHdr), "queryString": query, "cookies": []any{}, "headersSize": -1, "bodySize": len(e.reqBody)}
		if len(e.reqBody) > 0 {
			pd := obj{"mimeType": e.req.Header.Get("Content-Type"), "text": string(e.reqBody)}
			if form, err := url.ParseQuery(string(e.reqBody)); err == nil {
				params := []harNV{}
				for k, vs := range form {
					for _, v := range vs {
						params = append(params, harNV{k, v})
					}
				}
				sort.Slice(params, func(i, j int) bool { return params[i].Name < params[j].Name })
				pd["params"] = params
			}
			req["postData"] = pd
		}
		ms := float64(e.duration.Microseconds()) / 1000
		entries = append(entries, obj{
			"startedDateTime": e.started.UTC().Format("2006-01-02T15:04:05.000Z"),
			"time":            ms,
			"request":         req,
			"response": obj{"status": e.status, "statusText": strings.TrimSpace(strings.TrimPrefix(e.statusTx, http.StatusText(0))),
				"httpVersion": "HTTP/1.1", "headers": nvs(e.respHdr), "cookies": []any{},
				"content":     obj{"size": len(e.respBody), "mimeType": e.respHdr.Get("Content-Type"), "text": string(e.respBody)},
				"redirectURL": e.respHdr.Get("Location"), "headersSize": -1, "bodySize": len(e.respBody)},
			"cache":   obj{},
			"timings": obj{"send": 0, "wait": ms, "receive": 0},
		})
	}
	doc := obj{"log": obj{"version": "1.2", "creator": obj{"name": "grantcheck explain gen", "version": "1"},
		"pages": []any{}, "entries": entries}}
	return json.MarshalIndent(doc, "", "  ")
}

// last is the last exchange whose request body carries grant_type.
func (r *recorder) lastToken() *exchange {
	for i := len(r.entries) - 1; i >= 0; i-- {
		if f, err := url.ParseQuery(string(r.entries[i].reqBody)); err == nil && f.Get("grant_type") != "" {
			return &r.entries[i]
		}
	}
	return nil
}

func (r *recorder) authorizeURL() string {
	for _, e := range r.entries {
		if q := e.req.URL.Query(); q.Get("response_type") != "" {
			return e.req.URL.String()
		}
	}
	return ""
}
