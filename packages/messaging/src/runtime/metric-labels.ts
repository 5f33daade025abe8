import { MESSAGE_TYPES, TOPICS } from '@orderflow/contracts';

/** The label of a value outside the known set. */
export const UNKNOWN_LABEL = 'unknown';

/**
 * Metric label values from closed sets. A consumed record's `ce_type` and topic come from
 * whoever produced it; used as labels as they are, random values would add a series each and
 * grow the registry (and the scrape) without bound. Known means: the manifest's types and this
 * consumer's subscriptions, the catalogue's topics and the topics this consumer reads.
 */
export class MetricLabels {
  private readonly types: ReadonlySet<string>;
  private readonly topics: ReadonlySet<string>;

  constructor(own: { readonly types: Iterable<string>; readonly topics: Iterable<string> }) {
    this.types = new Set([...MESSAGE_TYPES, ...own.types]);
    this.topics = new Set([...Object.keys(TOPICS), ...own.topics]);
  }

  type(value: string | undefined): string {
    return value !== undefined && this.types.has(value) ? value : UNKNOWN_LABEL;
  }

  topic(value: string | undefined): string {
    return value !== undefined && this.topics.has(value) ? value : UNKNOWN_LABEL;
  }
}
