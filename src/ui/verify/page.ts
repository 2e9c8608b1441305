import { page } from '../html.js';

export const verifyScriptPath = '/assets/verify/verify.js';

/** `GET /verify`: paste a credential, upload a baked PNG/SVG, or give a URL; the script posts to /verify. */
export function verifyPage(): string {
  return page({
    title: 'Verify an Open Badge',
    scripts: [verifyScriptPath],
    body: `<main><h1>Verify an Open Badges 3.0 credential</h1>
<form id="verify-form">
<p><label for="credential">Paste the credential (JSON)</label><br><textarea id="credential" name="credential" rows="12" cols="80"></textarea></p>
<p><label for="file">or upload a baked badge (PNG or SVG)</label><br><input type="file" id="file" name="file" accept="image/png,image/svg+xml"></p>
<p><label for="url">or give its URL</label><br><input type="url" id="url" name="url" size="80"></p>
<p><button type="submit">Verify</button></p>
</form>
<section aria-live="polite"><h2 id="verdict"></h2><table id="checks"><thead><tr><th>check</th><th>valid</th><th>message</th></tr></thead><tbody></tbody></table></section>
<noscript><p>This page needs JavaScript; without it, POST the credential to /verify.</p></noscript>
</main>`,
  });
}

/** The page's script (a file: the CSP allows script from 'self' only). Results are written as text, never HTML. */
export const verifyScript = `(function () {
  var form = document.getElementById('verify-form');
  var verdict = document.getElementById('verdict');
  var body = document.querySelector('#checks tbody');
  function show(report) {
    verdict.textContent = report.verified ? 'Verified' : 'Not verified';
    body.textContent = '';
    (report.checks || []).forEach(function (check) {
      var row = document.createElement('tr');
      [check.check, check.valid ? 'yes' : 'no', check.message].forEach(function (text) {
        var cell = document.createElement('td');
        cell.textContent = String(text);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
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
    verdict.textContent = 'Verifying...';
    request.then(function (res) { return res.json(); }).then(function (json) {
      if (json.error) show({ verified: false, checks: [{ check: 'request', valid: false, message: json.error.message }] });
      else show(json);
    }).catch(function (error) { verdict.textContent = 'Could not verify: ' + error; });
  });
})();
`;
