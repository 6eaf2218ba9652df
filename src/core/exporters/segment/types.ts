/** The JSON shape of an X-Ray segment document, as far as otel-xray fills it in. */
export interface SegmentDocument {
  name: string;
  id: string;
  trace_id: string;
  parent_id?: string;
  /** `subsegment` for a subsegment sent on its own; absent for a segment. */
  type?: 'subsegment';
  start_time: number;
  end_time: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  namespace?: 'aws' | 'remote';
  origin?: string;
  user?: string;
  http?: HttpBlock;
  aws?: AwsBlock;
  sql?: SqlBlock;
  service?: { version: string };
  cause?: { exceptions: SegmentException[] };
  annotations?: Record<string, string | number | boolean>;
  metadata?: Record<string, Record<string, unknown>>;
  links?: { trace_id: string; id: string; attributes?: Record<string, unknown> }[];
}

export interface HttpBlock {
  request?: { method?: string; url?: string; user_agent?: string; client_ip?: string; x_forwarded_for?: boolean };
  response?: { status?: number; content_length?: number };
}

/** A database call (`db.system` of an SQL database), as the collector's awsxray exporter fills it in. */
export interface SqlBlock {
  /** The span name: the collector finds the connection string no more useful here. */
  url?: string;
  /** `<connection string or "localhost">/<database name>`. */
  connection_string?: string;
  database_type?: string;
  database_version?: string;
  driver_version?: string;
  user?: string;
  sanitized_query?: string;
}

export interface SegmentException {
  id: string;
  type?: string;
  message?: string;
  remote?: boolean;
  truncated?: number;
  stack?: { path?: string; line?: number; label?: string }[];
}

export interface AwsBlock {
  account_id?: string;
  operation?: string;
  region?: string;
  request_id?: string;
  retries?: number;
  queue_url?: string;
  table_name?: string;
  table_names?: string[];
  ec2?: { instance_id?: string; availability_zone?: string; instance_size?: string; ami_id?: string };
  ecs?: Record<string, string>;
  eks?: { cluster_name?: string; pod?: string; container_id?: string };
  elastic_beanstalk?: { environment_name?: string; version_label?: string; deployment_id?: number };
  cloudwatch_logs?: { log_group: string; arn?: string }[];
  xray?: { sdk?: string; sdk_version?: string; auto_instrumentation: boolean };
}

/** Span attributes, read-only, as the translator sees them. */
export type Attributes = Readonly<Record<string, unknown>>;
