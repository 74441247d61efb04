/**
 * The series endpoints (docs/protocol.md, "Series"): a series of
 * conferences compared for the council. Everything but creation takes the
 * series' organiser token as a Bearer header.
 */
import { ApiError, type ExportFile, type Fetch, dispositionFileName, hasStrings, request, send } from './api';

export interface ClusterRef {
  board: string;
  cluster: string;
}

export interface AgreementRef {
  board: string;
  agreement: string;
}

export const TOPIC_SCOPES = ['open', 'city', 'districts'] as const;
export type TopicScope = (typeof TOPIC_SCOPES)[number];

export interface SeriesTopic {
  id: string;
  title: string;
  scope: TopicScope;
  clusters: ClusterRef[];
  agreements: AgreementRef[];
}

export interface Comparison {
  topics: SeriesTopic[];
  dismissed: [ClusterRef, ClusterRef][];
}

export interface SeriesCluster {
  id: string;
  title: string;
  needs: string[];
}

export interface SeriesAgreement {
  id: string;
  what: string;
  who: string;
  due: string | null;
  status: string;
}

export interface SeriesConference {
  board: string;
  title: string;
  district: string;
  date: string | null;
  participants: number;
  cards: number;
  clusters: SeriesCluster[];
  agreements: SeriesAgreement[];
}

export interface Voiced {
  district: string;
  board: string;
  text: string;
}

export interface TopicView {
  id: string;
  title: string;
  scope: TopicScope;
  districts: string[];
  needs: Voiced[];
  sectors: Record<string, string[]>;
  offers: Voiced[];
  agreements: Voiced[];
}

export interface SeriesOverview {
  series: string;
  title: string;
  locale: string;
  version: number;
  comparison: Comparison;
  conferences: SeriesConference[];
  topics: TopicView[];
}

export interface SeriesSuggestion {
  clusters: ClusterRef[];
  label: string;
}

export interface CreatedSeries {
  series: string;
  organiser_token: string;
  organiser_url: string;
}

export const SERIES_EXPORT_FORMATS = ['pdf', 'docx', 'md', 'csv', 'json'] as const;
export type SeriesExportFormat = (typeof SERIES_EXPORT_FORMATS)[number];

function isOverview(body: unknown): body is SeriesOverview {
  if (!hasStrings(body, ['series', 'title', 'locale'])) return false;
  const value = body as { version?: unknown; conferences?: unknown; topics?: unknown; comparison?: { topics?: unknown; dismissed?: unknown } | null };
  return (
    typeof value.version === 'number' &&
    Array.isArray(value.conferences) &&
    Array.isArray(value.topics) &&
    typeof value.comparison === 'object' &&
    value.comparison !== null &&
    Array.isArray(value.comparison.topics) &&
    Array.isArray(value.comparison.dismissed)
  );
}

export class SeriesApi {
  constructor(private readonly fetcher: Fetch = (input, init) => fetch(input, init)) {}

  async create(title: string, locale: string): Promise<CreatedSeries> {
    const body = await request(this.fetcher, '/api/series', { method: 'POST', body: JSON.stringify({ title, locale }) });
    if (!hasStrings(body, ['series', 'organiser_token', 'organiser_url'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  async overview(series: string, token: string): Promise<SeriesOverview> {
    const body = await request(this.fetcher, `/api/series/${encodeURIComponent(series)}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!isOverview(body)) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** Adds a board with its moderator's token; false if it was in the series already. */
  async addBoard(series: string, token: string, board: string, moderatorToken: string): Promise<boolean> {
    const body = await request(this.fetcher, `/api/series/${encodeURIComponent(series)}/boards`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ board, moderator_token: moderatorToken }),
    });
    return typeof body === 'object' && body !== null && (body as { added?: unknown }).added === true;
  }

  async removeBoard(series: string, token: string, board: string): Promise<void> {
    await send(this.fetcher, `/api/series/${encodeURIComponent(series)}/boards/${encodeURIComponent(board)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
  }

  /** Writes the comparison read at `version`; the new version (409: someone wrote in between). */
  async writeComparison(series: string, token: string, version: number, comparison: Comparison): Promise<number> {
    const body = await request(this.fetcher, `/api/series/${encodeURIComponent(series)}/comparison`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ version, comparison }),
    });
    const next = typeof body === 'object' && body !== null ? (body as { version?: unknown }).version : undefined;
    if (typeof next !== 'number') throw new ApiError(502, 'unexpected response');
    return next;
  }

  async suggestions(series: string, token: string): Promise<SeriesSuggestion[]> {
    const body = await request(this.fetcher, `/api/series/${encodeURIComponent(series)}/suggestions`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const groups = typeof body === 'object' && body !== null ? (body as { groups?: unknown }).groups : undefined;
    if (!Array.isArray(groups)) throw new ApiError(502, 'unexpected response');
    return groups.flatMap((group: unknown) => {
      if (!hasStrings(group, ['label'])) return [];
      const clusters = (group as { clusters?: unknown }).clusters;
      if (!Array.isArray(clusters) || !clusters.every((c) => hasStrings(c, ['board', 'cluster']))) return [];
      return [{ label: group.label, clusters }];
    });
  }

  async report(series: string, token: string, format: SeriesExportFormat): Promise<ExportFile> {
    const response = await send(this.fetcher, `/api/series/${encodeURIComponent(series)}/export.${format}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch {
      throw new ApiError(0, 'network');
    }
    return { blob, fileName: dispositionFileName(response.headers.get('Content-Disposition')) ?? `kartenwand-series.${format}` };
  }
}
