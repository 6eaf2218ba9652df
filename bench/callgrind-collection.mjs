// The share of a callgrind dump spent collecting garbage: the self cost of V8's collector
// functions (scavenger, marking, sweeping, compaction), by name. Which collections fall in a
// counted window moves a count by up to 30k per request from run to run; the rest of the count
// (what the requests ran) moves by about 2k. Read from the dump's own text: with
// --compress-strings=no each function's name follows `fn=`, and after a `calls=` line the next
// cost line is the callee's inclusive cost, not the caller's own.

/** V8's collector, by the names of its classes and their helpers. */
const COLLECTOR = /v8::internal::(?:Scaveng|ScavengerCollector|Sweeper|MarkCompact|MinorMarkSweep|IncrementalMarking|ConcurrentMarking|Marking|MainMarkingVisitor|YoungGenerationMarking|Evacuat|RecordMigratedSlot|PointersUpdating|RememberedSet|SlotSet|TypedSlot|FreeList|Heap::(?:CollectGarbage|PerformGarbageCollection|Scavenge|MarkCompact|MinorMarkSweep|IterateRoots|OnMoveEvent|GarbageCollection|ProcessAllWeakReferences)|HeapObject::SizeFromMap|ObjectStats|WeakObjects|GlobalHandles::(?:Iterate|Process|Update)|ArrayBufferSweeper|MemoryAllocator::Unmapper|PagedSpaceAllocatorPolicy::ContributeToSweeping|BodyDescriptorBase::IteratePointers<v8::internal::(?:Scavenge|MainMarking|Marking|IterateAndScavengePromoted|RecordMigrated|PointersUpdating))|heap::base::(?:Worklist|SlotCallbackResult|BasicSlotSet)/;

/** Instructions in collector functions, of one callgrind dump's text. */
export function collectionInstructions(text) {
  let fn = '';
  let afterCall = false;
  let collection = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      fn = line.slice(3);
    } else if (line.startsWith('calls=')) {
      afterCall = true;
    } else if (/^[+\-*0-9]/.test(line)) {
      if (afterCall) {
        afterCall = false;
        continue;
      }
      if (COLLECTOR.test(fn)) collection += Number(line.split(' ')[1] ?? 0);
    }
  }
  return collection;
}
