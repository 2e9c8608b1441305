/**
 * The scripts of the install pages, served as files by Laurel (the CSP allows script from 'self' only).
 */

/**
 * LTI Dynamic Registration 1.0 §3.6.3: once registered, tell the platform to close the registration window.
 * Platforms open the tool in an iframe (Moodle, Canvas) or a pop-up (Brightspace): post to whichever exists.
 */
export const registrationCloseScript = `(function () {
  var message = { subject: 'org.imsglobal.lti.close' };
  var target = window.opener || (window.parent !== window ? window.parent : null);
  function close() {
    if (target) target.postMessage(message, '*');
  }
  var button = document.getElementById('close');
  if (button) button.addEventListener('click', close);
  if (document.querySelector('[data-registered-page]')) close();
})();
`;

/** Copy buttons: each `button[data-copy]` copies the text of the element whose id it names. */
export const installCopyScript = `(function () {
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'));
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var label = button.textContent;
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
})();
`;

/** Laurel's icon (a laurel wreath), referenced by manifest.json `icon`. */
export const laurelIconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="12" fill="#1f5f3f"/><g fill="#e8d48b"><path d="M32 52c-9-2-16-10-16-20 0-4 1-8 3-11l2 1c-2 3-3 6-3 10 0 9 6 16 14 18z"/><path d="M32 52c9-2 16-10 16-20 0-4-1-8-3-11l-2 1c2 3 3 6 3 10 0 9-6 16-14 18z"/><ellipse cx="19" cy="26" rx="3" ry="6" transform="rotate(-25 19 26)"/><ellipse cx="17" cy="36" rx="3" ry="6" transform="rotate(-60 17 36)"/><ellipse cx="22" cy="45" rx="3" ry="6" transform="rotate(-80 22 45)"/><ellipse cx="45" cy="26" rx="3" ry="6" transform="rotate(25 45 26)"/><ellipse cx="47" cy="36" rx="3" ry="6" transform="rotate(60 47 36)"/><ellipse cx="42" cy="45" rx="3" ry="6" transform="rotate(80 42 45)"/></g></svg>
`;
