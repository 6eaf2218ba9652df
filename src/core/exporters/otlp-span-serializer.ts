import { type IExportTraceServiceResponse, type ISerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeTraceRequest } from './otlp-span-encoder.js';

/**
 * The protobuf serializer for the OTLP exporters: requests from our encoder (the same bytes as
 * the SDK's, at a fraction of the cost), responses read by the SDK's decoder (loaded anyway
 * with the exporter base, and run once per batch at most).
 */
export const OtlpSpanSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: (spans) => encodeTraceRequest(spans),
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};
