/**
 * The course badges page's script, served as a file (`script-src 'self'`, never inline). It calls the badges JSON
 * API with the launch session (`laurel.fetch` from session.js), writes results as text (never HTML), shows the
 * API's validation errors next to the field they name, and renders the page again after a change.
 */
export const courseScriptPath = '/assets/course/badges.js';

export const courseScript = `(function () {
  function api(method, url, body) {
    var init = { method: method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return window.laurel.fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var json = text ? JSON.parse(text) : {};
        if (!res.ok) throw (json && json.error) || { message: 'HTTP ' + res.status };
        return json;
      });
    });
  }
  function refresh() {
    var form = document.querySelector('form[data-refresh]');
    if (form) form.submit();
  }
  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach(function (p) { p.textContent = ''; p.hidden = true; });
  }
  function showError(form, field, text) {
    var p = form.querySelector('[data-error-for="' + field + '"]') || form.querySelector('[data-error-for="form"]') || form.querySelector('.field-error');
    if (!p) return;
    p.textContent = text;
    p.hidden = false;
    var input = form.querySelector('[name="' + field + '"]');
    if (input) input.setAttribute('aria-invalid', 'true');
  }
  // The API names the place: ERR_RULE_INVALID gives JSON Pointers inside the rule, other errors a body path.
  function ruleIssues(error) {
    var issues = error.issues && error.issues.length ? error.issues : [{ path: error.path || '/', message: error.message }];
    return issues.map(function (i) { return 'At ' + (i.path || '/') + ' in the rule: ' + i.message; }).join('\\n');
  }
  function fieldOf(path) {
    var name = String(path || '').replace(/^\\//, '').split(/[/.]/)[0];
    return name === 'criteria' ? 'criteria' : name === 'name' || name === 'description' ? name : 'form';
  }
  function parseRuleText(form) {
    var text = form.elements.namedItem('rule').value.trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      showError(form, 'rule', 'This is not JSON: ' + e.message);
      return null;
    }
  }
  function putRule(id, rule) {
    return api('PUT', '/api/achievements/' + encodeURIComponent(id) + '/rule', { rule: rule });
  }
  function busy(form, on) {
    form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.disabled = on; });
    form.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  document.addEventListener('click', function (event) {
    var example = event.target.closest('button[data-example]');
    if (example) {
      var target = document.getElementById(example.getAttribute('data-example-for'));
      if (target) {
        target.value = example.getAttribute('data-example');
        target.focus();
      }
      return;
    }
    var dry = event.target.closest('button[data-dry-run]');
    if (dry) runDryRun(dry);
  });

  function peopleNames() {
    var names = {};
    document.querySelectorAll('[data-people] li').forEach(function (li) {
      names[li.getAttribute('data-user-id')] = li.textContent;
    });
    return names;
  }
  function cell(row, text, tag) {
    var el = document.createElement(tag || 'td');
    el.textContent = String(text);
    row.appendChild(el);
    return el;
  }
  function runDryRun(button) {
    var id = button.getAttribute('data-dry-run');
    var table = document.querySelector('[data-dry-run-result="' + id + '"]');
    var summary = document.querySelector('[data-dry-run-summary="' + id + '"]');
    var body = table.querySelector('tbody');
    var names = peopleNames();
    summary.hidden = false;
    summary.textContent = 'Evaluating the rule over the course\\'s stored evidence...';
    button.disabled = true;
    api('POST', '/api/achievements/' + encodeURIComponent(id) + '/dry-run').then(function (result) {
      body.textContent = '';
      result.learners.forEach(function (l) {
        var row = document.createElement('tr');
        row.setAttribute('data-user-id', l.userId);
        cell(row, names[l.userId] || 'Learner ' + l.userId.slice(0, 8));
        var status = document.createElement('span');
        status.className = l.met ? 'status status-pass' : 'status status-none';
        status.textContent = l.awarded ? (l.met ? 'Earned' : 'Earned (not met now)') : l.met ? 'Would earn' : 'Not yet';
        cell(row, '').appendChild(status);
        cell(row, l.have + ' of ' + l.need + (l.reason ? ': ' + l.reason : ''));
        body.appendChild(row);
      });
      summary.textContent = result.learners.length === 0
        ? 'No learner of this course has stored evidence yet.'
        : result.wouldEarn + ' would earn it now; ' + result.alreadyAwarded + ' already earned it.';
      table.hidden = result.learners.length === 0;
    }, function (error) {
      summary.textContent = 'Could not run: ' + error.message;
    }).then(function () { button.disabled = false; });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.hasAttribute('data-new-badge')) createBadge(event, form);
    else if (form.hasAttribute('data-rule-form')) saveRule(event, form);
    else if (form.hasAttribute('data-revoke')) changeAward(event, form, 'revoke');
    else if (form.hasAttribute('data-suspend')) changeAward(event, form, 'suspend');
    else if (form.hasAttribute('data-unsuspend')) changeAward(event, form, 'unsuspend');
  });

  function createBadge(event, form) {
    event.preventDefault();
    clearErrors(form);
    var rule = parseRuleText(form);
    if (rule === null) return;
    var value = function (name) { return form.elements.namedItem(name).value; };
    busy(form, true);
    // A badge created earlier by this form whose rule was refused: only its rule is sent again.
    var created = form.getAttribute('data-created');
    var step = created
      ? Promise.resolve({ id: created })
      : api('POST', '/api/achievements', {
          name: value('name'),
          description: value('description'),
          criteria: { narrative: value('criteria') },
        }).catch(function (error) {
          showError(form, fieldOf(error.path), error.message);
          throw error;
        });
    step.then(function (achievement) {
      form.setAttribute('data-created', achievement.id);
      if (rule === undefined) return refresh();
      return putRule(achievement.id, rule).then(refresh, function (error) {
        showError(form, 'rule', ruleIssues(error) + ' (the badge is created; fix the rule and submit again)');
      });
    }).catch(function () {}).then(function () { busy(form, false); });
  }

  function saveRule(event, form) {
    event.preventDefault();
    clearErrors(form);
    var rule = parseRuleText(form);
    if (rule === null) return;
    if (rule === undefined) return showError(form, 'rule', 'Write a rule (JSON), or pick an example.');
    busy(form, true);
    putRule(form.getAttribute('data-rule-form'), rule).then(refresh, function (error) {
      showError(form, 'rule', ruleIssues(error));
    }).then(function () { busy(form, false); });
  }

  // Revoke, suspend or unsuspend an award (action), with the form's reason.
  function changeAward(event, form, action) {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    var reason = form.elements.namedItem('reason').value;
    var id = form.getAttribute('data-' + action);
    api('POST', '/api/awards/' + encodeURIComponent(id) + '/' + action, { reason: reason })
      .then(refresh, function (error) { showError(form, 'reason', error.message); })
      .then(function () { busy(form, false); });
  }
})();
`;
