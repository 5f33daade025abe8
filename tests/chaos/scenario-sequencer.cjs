// Runs the chaos scenarios in the order of their file names' leading number (1-…, 2-…).
const Sequencer = require('@jest/test-sequencer').default;

const scenario = (test) => Number(/(\d+)-[^/]*$/.exec(test.path)?.[1] ?? Infinity);

class ScenarioSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => scenario(a) - scenario(b) || a.path.localeCompare(b.path));
  }
}

module.exports = ScenarioSequencer;
