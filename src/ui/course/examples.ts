/** Award rule examples offered one click away in the rule editor (from docs/rules.md; a test parses each). */
export const ruleExamples: readonly { label: string; rule: unknown }[] = [
  {
    label: 'Completed an activity',
    rule: { statement: { verb: 'completed', objectId: 'https://moodle.example.edu/course/view.php?id=42' } },
  },
  {
    label: 'Quiz score ≥ 80 %',
    rule: {
      statement: {
        objectId: 'https://moodle.example.edu/mod/quiz/view.php?id=17',
        score: { minScaled: 0.8 },
      },
    },
  },
  {
    label: '3 of 4 activities',
    rule: {
      nOfM: {
        n: 3,
        activities: [
          'https://wp.example.org/wp-admin/admin-ajax.php?action=h5p_embed&id=12',
          'https://wp.example.org/wp-admin/admin-ajax.php?action=h5p_embed&id=13',
          'https://wp.example.org/wp-admin/admin-ajax.php?action=h5p_embed&id=14',
          'https://wp.example.org/wp-admin/admin-ajax.php?action=h5p_embed&id=15',
        ],
        where: { completion: true },
      },
    },
  },
  {
    label: '20 answers',
    rule: {
      atLeast: {
        count: 20,
        where: { verb: 'answered', parentIdPrefix: 'https://moodle.example.edu/mod/quiz/' },
      },
    },
  },
  {
    label: 'Grade ≥ 70 % or manual',
    rule: {
      anyOf: [
        { lineItem: { id: 'https://canvas.example.edu/api/lti/courses/7/line_items/31', minScaled: 0.7 } },
        { manual: {} },
      ],
    },
  },
  { label: 'Manual only', rule: { manual: {} } },
];
