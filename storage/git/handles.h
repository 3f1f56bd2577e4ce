#pragma once

// Owners for libgit2 handles: each frees its handle with the matching _free, is move-only and
// never hands the handle to code outside storage/.

#include "storage/private/handleowner.h"

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include <memory>

namespace digitdesk::storage::git {

using Repository = std::unique_ptr<git_repository, FreeWith<git_repository_free>>;
using Odb = std::unique_ptr<git_odb, FreeWith<git_odb_free>>;
using OdbObject = std::unique_ptr<git_odb_object, FreeWith<git_odb_object_free>>;
using Object = std::unique_ptr<git_object, FreeWith<git_object_free>>;
using Tree = std::unique_ptr<git_tree, FreeWith<git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, FreeWith<git_tree_entry_free>>;
using TreeBuilder = std::unique_ptr<git_treebuilder, FreeWith<git_treebuilder_free>>;
using Blob = std::unique_ptr<git_blob, FreeWith<git_blob_free>>;
using Commit = std::unique_ptr<git_commit, FreeWith<git_commit_free>>;
using Reference = std::unique_ptr<git_reference, FreeWith<git_reference_free>>;
using ReferenceIterator =
    std::unique_ptr<git_reference_iterator, FreeWith<git_reference_iterator_free>>;
using Remote = std::unique_ptr<git_remote, FreeWith<git_remote_free>>;
using Signature = std::unique_ptr<git_signature, FreeWith<git_signature_free>>;
using Diff = std::unique_ptr<git_diff, FreeWith<git_diff_free>>;

// Object database backends and pack writers free themselves through their own function pointer.
struct FreeBackend
{
    void operator()(git_odb_backend *backend) const noexcept { backend->free(backend); }
};
struct FreeWritepack
{
    void operator()(git_odb_writepack *writepack) const noexcept { writepack->free(writepack); }
};
using OdbBackend = std::unique_ptr<git_odb_backend, FreeBackend>;
using OdbWritepack = std::unique_ptr<git_odb_writepack, FreeWritepack>;

// Takes the handle a libgit2 call stored through `out`; use as
// `Tree tree; check(git_tree_lookup(out(tree), ...), ...)`.
template <typename Owner> class OutParameter
{
public:
    explicit OutParameter(Owner &owner) : m_owner(owner) {}
    ~OutParameter() { m_owner.reset(m_handle); }
    OutParameter(const OutParameter &) = delete;
    OutParameter &operator=(const OutParameter &) = delete;
    operator typename Owner::pointer *() noexcept { return &m_handle; }

private:
    Owner &m_owner;
    typename Owner::pointer m_handle = nullptr;
};

template <typename Owner> OutParameter<Owner> out(Owner &owner)
{
    return OutParameter<Owner>(owner);
}

} // namespace digitdesk::storage::git
