import { describe, expect, it } from '@jest/globals';
import { resolveLineItemRefs } from '../../../src/lti/services/index.js';

const moodle = 'https://moodle.example.edu/mod/lti/services.php/2/lineitems';
const items = [
  { id: `${moodle}/5/lineitem?type_id=1`, label: 'Final', scoreMaximum: 100 },
  { id: `${moodle}/6/lineitem?type_id=1`, label: 'Quiz', scoreMaximum: 10, resourceId: 'quiz-2' },
  { id: `${moodle}/7/lineitem?type_id=1`, label: 'Quiz (retake)', scoreMaximum: 10, resourceId: 'quiz-2' },
];

describe('resolveLineItemRefs: what a rule`s lineItem.id names', () => {
  it('names the line item whose AGS id (URL) equals it, compared as URLs', () => {
    expect(resolveLineItemRefs([`${moodle}/5/lineitem?type_id=1`], items)).toEqual([
      { ref: `${moodle}/5/lineitem?type_id=1`, lineItemUrl: items[0]!.id, label: 'Final', scoreMaximum: 100 },
    ]);
    const spelled = 'HTTPS://Moodle.Example.edu:443/mod/lti/services.php/2/lineitems/5/lineitem?type_id=1';
    expect(resolveLineItemRefs([spelled], items).map((r) => r.lineItemUrl)).toEqual([items[0]!.id]);
  });

  it('names every line item with that resourceId', () => {
    expect(resolveLineItemRefs(['quiz-2'], items).map((r) => r.lineItemUrl)).toEqual([
      items[1]!.id,
      items[2]!.id,
    ]);
  });

  it('names nothing for an unknown id, a label or another query', () => {
    expect(resolveLineItemRefs(['Final', `${moodle}/5/lineitem`, 'quiz-3'], items)).toEqual([]);
  });
});
