import type grpc from '@grpc/grpc-js'
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js'
import type sharedPb from '@eventstore/db-client/generated/shared_pb.js'

/** ServerFeatures.GetSupportedMethods: what the client may use (BatchAppend, the read features). */
export function serverFeatures(
  settings: { batchAppend: boolean; serverVersion: string },
  count: (rpc: string) => void,
): grpc.UntypedServiceImplementation {
  const handler: grpc.handleUnaryCall<sharedPb.Empty, serverFeaturesPb.SupportedMethods> = (
    _call,
    callback,
  ) => {
    count('ServerFeatures.GetSupportedMethods')
    const methods: Array<[string, string, string[]]> = [
      ['event_store.client.streams.streams', 'read', ['position', 'events']],
      ['event_store.client.streams.streams', 'append', []],
      ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
    ]
    if (settings.batchAppend)
      methods.push(['event_store.client.streams.streams', 'batchappend', ['deadline_duration']])
    const supported = new serverFeaturesPb.SupportedMethods()
    supported.setEventStoreServerVersion(settings.serverVersion)
    supported.setMethodsList(
      methods.map(([service, method, features]) => {
        const entry = new serverFeaturesPb.SupportedMethod()
        entry.setServiceName(service)
        entry.setMethodName(method)
        entry.setFeaturesList(features)
        return entry
      }),
    )
    callback(null, supported)
  }
  return { getSupportedMethods: handler }
}
