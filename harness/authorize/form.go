package authorize

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// formWalker is the form login driver: plain HTTP with a cookie jar, redirects stepped one at a
// time, each page's form filled and submitted by the first matching login step.
type formWalker struct {
	d    *Driver
	last time.Time
}

// LastNavigation is when the latest redirect or form submission was answered: a code's lifetime
// starts no earlier.
func (w *formWalker) LastNavigation() time.Time { return w.last }

func (w *formWalker) Walk(ctx context.Context, r Route) (Landing, error) {
	d := w.d
	red := d.Log.Redactor
	c := d.NewClient()
	var refused RefusedCookies
	page := &pageRequest{method: http.MethodGet, url: r.AuthURL, step: "authorization request"}
	w.last = time.Now()
	for n := 0; n < d.Login.MaxPages; n++ {
		sent := time.Now()
		resp, err := page.send(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				return Landing{}, d.Stopped(ctx, page.url)
			}
			return Landing{}, fmt.Errorf("login: %s %s: %s", page.method, red.Redact(page.url), red.Redact(transcript.URLErrorCause(err).Error()))
		}
		w.last = sent
		pageURL := resp.Request.RawRequest.URL
		refused.check(c.GetClient().Jar, pageURL, resp.RawResponse)
		if loc := resp.Header().Get("Location"); resp.StatusCode() >= 300 && resp.StatusCode() < 400 && loc != "" {
			target, err := pageURL.Parse(loc)
			if err != nil {
				return Landing{}, fmt.Errorf("login: bad Location %q: %w", red.Redact(loc), err)
			}
			if r.Stop(target) {
				return Landing{Redirect: target}, nil
			}
			page = &pageRequest{method: http.MethodGet, url: target.String(), step: "follow redirect"}
			continue
		}
		if resp.StatusCode() != http.StatusOK {
			return Landing{PageURL: pageURL.String(), Status: resp.StatusCode(),
				Detail: fmt.Sprintf("login: %s answered %s instead of a login page or a redirect to %s%s",
					red.Redact(pageURL.String()), resp.Status(), r.RedirectURI, red.Redact(snippet(resp.Body())))}, nil
		}
		next, miss, err := d.submit(pageURL, resp.Body())
		if err != nil {
			return Landing{}, err
		}
		if next == nil {
			return Landing{PageURL: pageURL.String(), Status: resp.StatusCode(), Detail: miss + refused.Note("the client refused")}, nil
		}
		// A form posting off the provider (to a host login.hosts does not name) is a navigation
		// like a redirect: reported, not sent.
		if target, err := url.Parse(next.url); err == nil && r.Stop(target) {
			return Landing{Redirect: target}, nil
		}
		page = next
	}
	return Landing{}, fmt.Errorf("login: no redirect to %s after %d pages (login.max_pages)%s", r.RedirectURI, d.Login.MaxPages, refused.Note("the client refused"))
}

type pageRequest struct {
	method, url, step string
	form              url.Values
}

func (p *pageRequest) send(ctx context.Context, c *resty.Client) (*resty.Response, error) {
	r := c.R().SetContext(ctx).SetHeader(transcript.StepHeader, p.step)
	if p.method == http.MethodPost {
		return r.SetFormDataFromValues(p.form).Post(p.url)
	}
	if p.form != nil {
		u, err := url.Parse(p.url)
		if err != nil {
			return nil, err
		}
		u.RawQuery = p.form.Encode()
		return r.Get(u.String())
	}
	return r.Get(p.url)
}

// submit finds the first configured step that matches the page and returns the form submission.
// When no step matches, it returns no request and says what the page holds.
func (d *Driver) submit(pageURL *url.URL, body []byte) (*pageRequest, string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, "", fmt.Errorf("login: %s is not HTML: %w", d.Log.Redactor.Redact(pageURL.String()), err)
	}
	shown := d.Log.Redactor.Redact(pageURL.String())
	for i, step := range d.Login.Steps {
		re, err := regexp.Compile(step.URL)
		if err != nil {
			return nil, "", fmt.Errorf("login.steps[%d].url: %w", i, err)
		}
		if !re.MatchString(pageURL.String()) {
			continue
		}
		form := doc.Find(step.Form).First()
		if form.Length() == 0 {
			continue
		}
		values, err := d.fill(form, step, i)
		if err != nil {
			return nil, "", fmt.Errorf("login: %s: %w", shown, err)
		}
		action, _ := form.Attr("action")
		target, err := pageURL.Parse(action)
		if err != nil {
			return nil, "", fmt.Errorf("login: %s: login.steps[%d]: form action %q: %w", shown, i, action, err)
		}
		method := strings.ToUpper(strings.TrimSpace(form.AttrOr("method", "GET")))
		if method != http.MethodPost {
			method = http.MethodGet
		}
		return &pageRequest{method: method, url: target.String(), form: values,
			step: fmt.Sprintf("login.steps[%d]: submit %s", i, step.Form)}, "", nil
	}
	return nil, d.Log.Redactor.Redact(fmt.Sprintf("login: no login.steps entry matches page %s (%s)", shown, describeForms(doc))), nil
}

// fill collects what a browser would send: every successful control, the configured values over
// them, and the pressed button.
func (d *Driver) fill(form *goquery.Selection, step config.Step, idx int) (url.Values, error) {
	values := url.Values{}
	names := map[string]bool{}
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" {
			return
		}
		if _, disabled := s.Attr("disabled"); disabled {
			return
		}
		names[name] = true
		switch goquery.NodeName(s) {
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			if opt.Length() > 0 {
				values.Add(name, opt.AttrOr("value", strings.TrimSpace(opt.Text())))
			}
		case "textarea":
			values.Add(name, s.Text())
		default:
			switch strings.ToLower(s.AttrOr("type", "text")) {
			case "submit", "button", "image", "reset", "file":
				return
			case "checkbox", "radio":
				if _, checked := s.Attr("checked"); !checked {
					return
				}
				values.Add(name, s.AttrOr("value", "on"))
			default:
				values.Add(name, s.AttrOr("value", ""))
			}
		}
	})
	for name, tmpl := range step.Fill {
		if !names[name] {
			return nil, fmt.Errorf("login.steps[%d].fill: the form %s has no field %q (fields: %s)",
				idx, step.Form, name, strings.Join(slices.Sorted(maps.Keys(names)), ", "))
		}
		values.Set(name, d.expand(tmpl))
	}
	if step.Submit == "" {
		return values, nil
	}
	var pressed *goquery.Selection
	var seen []string
	form.Find("button, input[type=submit], input[type=image]").EachWithBreak(func(_ int, b *goquery.Selection) bool {
		name, value, text := b.AttrOr("name", ""), b.AttrOr("value", ""), strings.TrimSpace(b.Text())
		seen = append(seen, describeButton(name, value, text))
		if step.Submit == name || step.Submit == value || strings.EqualFold(step.Submit, text) {
			pressed = b
			return false
		}
		return true
	})
	if pressed == nil {
		return nil, fmt.Errorf("login.steps[%d].submit: the form %s has no button %q (buttons: %s)",
			idx, step.Form, step.Submit, strings.Join(seen, ", "))
	}
	if name := pressed.AttrOr("name", ""); name != "" {
		values.Set(name, pressed.AttrOr("value", ""))
	}
	return values, nil
}

func (d *Driver) expand(tmpl string) string {
	return strings.NewReplacer("{{username}}", d.Login.Username, "{{password}}", d.Login.Password).Replace(tmpl)
}

// describeForms lists the page's forms so a user can write the step that is missing.
func describeForms(doc *goquery.Document) string {
	var forms []string
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		desc := "form"
		if id := f.AttrOr("id", ""); id != "" {
			desc += "#" + id
		}
		if cl := strings.Fields(f.AttrOr("class", "")); len(cl) > 0 {
			desc += "." + strings.Join(cl, ".")
		}
		var fields []string
		f.Find("input[name], select[name], textarea[name]").Each(func(_ int, s *goquery.Selection) {
			if s.AttrOr("type", "") != "hidden" {
				fields = append(fields, s.AttrOr("name", ""))
			}
		})
		forms = append(forms, fmt.Sprintf("%s action=%q fields=[%s]", desc, f.AttrOr("action", ""), strings.Join(fields, " ")))
	})
	if len(forms) == 0 {
		title := strings.TrimSpace(doc.Find("title").First().Text())
		return fmt.Sprintf("the page has no form; title %q", title)
	}
	return "forms on the page: " + strings.Join(forms, "; ")
}

// describeButton shows every way a step can name a button: two buttons often share a name
// (decision=approve, decision=deny), so the name alone does not tell them apart.
func describeButton(name, value, text string) string {
	var ids []string
	for _, s := range []string{name, value, text} {
		if q := fmt.Sprintf("%q", s); s != "" && !slices.Contains(ids, q) {
			ids = append(ids, q)
		}
	}
	if len(ids) == 0 {
		return `""`
	}
	return strings.Join(ids, "/")
}
