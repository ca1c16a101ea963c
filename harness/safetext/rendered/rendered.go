// Package rendered renders Markdown the way GitHub does and lists what it became, for tests that
// prove provider text stays text: every image, link and HTML element of the rendered page, with
// where it came from.
//
// The renderer is goldmark with its GFM extension (tables, strikethrough, task lists and GitHub's
// extended autolinks), the CommonMark-conformant Go renderer that implements GitHub's dialect.
// Raw HTML is passed through (WithUnsafe), so that an HTML element in the Markdown shows up as one
// here instead of being dropped silently the way a safe renderer would hide it.
package rendered

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))

// Element is an active element of the rendered page: an image, a link, or any HTML element the
// Markdown did not produce by itself (raw HTML).
type Element struct {
	Tag  string // img, a, or the raw element's name
	URL  string // the image's src or the link's href
	Text string // the link's text
}

func (e Element) String() string { return fmt.Sprintf("<%s %q> %q", e.Tag, e.URL, e.Text) }

// markdownTags are the elements goldmark's GFM renderer produces from Markdown syntax that is not
// a link, an image or raw HTML.
var markdownTags = map[string]bool{
	"html": true, "head": true, "body": true, "p": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "ul": true, "ol": true, "li": true, "pre": true,
	"code": true, "em": true, "strong": true, "del": true, "blockquote": true, "hr": true,
	"br": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"input": true,
}

// Page is a rendered Markdown document.
type Page struct {
	HTML string
	doc  *goquery.Document
}

// Render renders md as GitHub-flavoured Markdown.
func Render(md string) (Page, error) {
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		return Page{}, fmt.Errorf("render: %w", err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		return Page{}, fmt.Errorf("parse the rendered page: %w", err)
	}
	return Page{HTML: b.String(), doc: doc}, nil
}

// Active lists the page's images, links and raw HTML elements, in document order.
func (p Page) Active() []Element {
	var out []Element
	p.doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		tag := goquery.NodeName(s)
		switch {
		case tag == "img":
			src, _ := s.Attr("src")
			out = append(out, Element{Tag: tag, URL: src})
		case tag == "a":
			href, _ := s.Attr("href")
			out = append(out, Element{Tag: tag, URL: href, Text: s.Text()})
		case !markdownTags[tag]:
			out = append(out, Element{Tag: tag})
		}
	})
	return out
}

// Text is the page as a reader sees it: its text without markup, whitespace runs as one space.
func (p Page) Text() string { return strings.Join(strings.Fields(p.doc.Text()), " ") }

// Rows is every table row of the page, each as the text of its cells.
func (p Page) Rows() [][]string {
	var rows [][]string
	p.doc.Find("tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("th, td").Each(func(_ int, c *goquery.Selection) {
			cells = append(cells, strings.Join(strings.Fields(c.Text()), " "))
		})
		rows = append(rows, cells)
	})
	return rows
}
