#pragma once

namespace digitdesk::storage {

// The deleter of a std::unique_ptr that owns a C library's handle and frees it with `Free`:
// `std::unique_ptr<sqlite3, FreeWith<sqlite3_close_v2>>`. What `Free` returns is dropped; a
// caller that needs it (sqlite3_backup_finish) calls it through release() instead.
template <auto Free> struct FreeWith
{
    template <typename Handle> void operator()(Handle *handle) const noexcept { Free(handle); }
};

} // namespace digitdesk::storage
