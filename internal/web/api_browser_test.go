package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// msg_key and other ids exceed 2^53: the page must keep them exact (a recall sends the
// msg_key back), with JSON.parse's source access and with the fallback scanner.
func TestBrowserBigIntegers(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	b := newBrowser(t, srv)
	b.open("")
	const js = `import('/static/js/api.js').then((m) => {
	  const text = '{"a":7202942021009408000,"b":"x:12345678901234567,\\"y\\":98765432109876543210","c":1.5,"d":-9007199254740993,"e":1000000000000002,"f":[18446744073709551615,2e20]}';
	  const check = (v) => [typeof v.a, String(v.a), v.b, v.c, String(v.d), typeof v.e, v.e, String(v.f[0]), v.f[1]].join('|');
	  return check(m.parseJSON(text)) + '\n' + check(JSON.parse(m.quoteBigInts(text)));
	})`
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := `string|7202942021009408000|x:12345678901234567,"y":98765432109876543210|1.5|-9007199254740993|number|1000000000000002|18446744073709551615|200000000000000000000`
	if got != want+"\n"+want {
		t.Errorf("parsed:\n%s\nwant (twice):\n%s", got, want)
	}
}
