import { page } from '../html.js';

export const verifyScriptPath = '/assets/verify/verify.js';

/**
 * `GET /verify`: paste a credential, upload a baked PNG/SVG, or give a URL (`?url=` fills it in and verifies at
 * once); the script posts to /verify.
 */
export function verifyPage(): string {
  return page({
    title: 'Verify an Open Badge',
    scripts: [verifyScriptPath],
    body: `<main><h1>Verify an Open Badges 3.0 credential</h1>
<form id="verify-form">
<p><label for="credential">Paste the credential (JSON)</label><br><textarea id="credential" name="credential" rows="12" cols="80" spellcheck="false"></textarea></p>
<p><label for="file">or upload a baked badge (PNG or SVG)</label><br><input type="file" id="file" name="file" accept="image/png,image/svg+xml"></p>
<p><label for="url">or give its URL</label><br><input type="url" id="url" name="url" size="80"></p>
<p><button type="submit">Verify</button></p>
</form>
<section aria-live="polite"><h2 id="verdict"></h2><table id="checks" class="checks" hidden><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Message</th></tr></thead><tbody></tbody></table></section>
<noscript><p>This page needs JavaScript; without it, POST the credential to /verify.</p></noscript>
</main>`,
  });
}

/** The page's script (a file: the CSP allows script from 'self' only). Results are written as text, never HTML. */
export const verifyScript = `(function () {
  var form = document.getElementById('verify-form');
  var verdict = document.getElementById('verdict');
  var body = document.querySelector('#checks tbody');
  var table = document.getElementById('checks');
  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = String(text);
    row.appendChild(td);
    return td;
  }
  function setVerdict(text, className) {
    verdict.textContent = text;
    verdict.className = className || '';
  }
  // Pass, fail or not checked is written as text beside its colour (WCAG 1.4.1: colour is never the only cue).
  // A check that could not run (its message says "not checked") does not count against the credential.
  function result(row, check) {
    var skipped = check.valid && /^not checked/.test(check.message || '');
    var status = document.createElement('span');
    var mark = document.createElement('span');
    status.className = skipped ? 'status status-none' : check.valid ? 'status status-pass' : 'status status-fail';
    mark.setAttribute('aria-hidden', 'true');
    mark.textContent = skipped ? '\u2013 ' : check.valid ? '\u2713 ' : '\u2717 ';
    status.appendChild(mark);
    status.appendChild(document.createTextNode(skipped ? 'not checked' : check.valid ? 'pass' : 'fail'));
    cell(row, '').appendChild(status);
  }
  function show(report) {
    setVerdict(report.verified ? 'Verified' : 'Not verified', report.verified ? 'verdict-pass' : 'verdict-fail');
    body.textContent = '';
    (report.checks || []).forEach(function (check) {
      var row = document.createElement('tr');
      row.setAttribute('data-valid', check.valid ? 'true' : 'false');
      cell(row, check.check);
      result(row, check);
      cell(row, check.message);
      body.appendChild(row);
    });
    table.hidden = body.childElementCount === 0;
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = document.getElementById('file').files[0];
    var url = document.getElementById('url').value.trim();
    var text = document.getElementById('credential').value;
    var request;
    if (file) request = fetch('/verify', { method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file });
    else if (url) request = fetch('/verify?url=' + encodeURIComponent(url), { method: 'POST' });
    else request = fetch('/verify', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
    setVerdict('Verifying...');
    table.hidden = true;
    request.then(function (res) { return res.json(); }).then(function (json) {
      if (json.error) show({ verified: false, checks: [{ check: 'request', valid: false, message: json.error.message }] });
      else show(json);
    }).catch(function (error) { setVerdict('Could not verify: ' + error, 'verdict-fail'); });
  });
  // /verify?url=<credential URL> (the course badges page's "Verify" link): fill in the URL and verify it.
  var preset = new URLSearchParams(window.location.search).get('url');
  if (preset) {
    document.getElementById('url').value = preset;
    form.requestSubmit();
  }
})();
`;
