// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Cairn history anchor
/// @notice A Cairn homeserver anchors one epoch per interval: the Merkle root over the
/// (room id, snapshot CID) leaves of every room that changed, and the IPFS CID of the epoch
/// document that lists them. Epochs are numbered 1, 2, 3, ... with no gap and no overwrite, so
/// anyone can tell that none was dropped or replaced after the fact.
/// @dev Only the root and the CID reach the chain, so the gas of an epoch does not depend on how
/// many rooms it covers. The CID lives in the event only (logs cost far less than storage); the
/// block number kept per epoch lets a verifier fetch that event with a one-block log query and
/// read when the epoch was anchored.
contract CairnAnchor {
    struct Anchor {
        bytes32 merkleRoot;
        uint64 blockNumber;
    }

    // `anchorer` and `latestEpoch` share one storage slot: `anchor` reads the one and writes the
    // other, so that is one cold slot per call instead of two.
    address public anchorer;
    uint64 public latestEpoch;
    address public owner;
    mapping(uint64 epoch => Anchor) private anchors;

    event Anchored(uint64 indexed epoch, bytes32 merkleRoot, string epochCid);
    event AnchorerChanged(address indexed previousAnchorer, address indexed newAnchorer);

    error NotAnchorer(address caller);
    error NotOwner(address caller);
    error EpochOutOfOrder(uint64 expected, uint64 given);
    /// A zero root is what `rootOf` answers for an epoch never anchored; it cannot be anchored.
    error EmptyRoot();
    error EmptyCid();
    error ZeroAddress();

    constructor(address initialAnchorer) {
        if (initialAnchorer == address(0)) revert ZeroAddress();
        owner = msg.sender;
        anchorer = initialAnchorer;
        emit AnchorerChanged(address(0), initialAnchorer);
    }

    /// @notice Records epoch `epoch`, which must be the one after the latest.
    function anchor(uint64 epoch, bytes32 merkleRoot, string calldata epochCid) external {
        if (msg.sender != anchorer) revert NotAnchorer(msg.sender);
        uint64 expected = latestEpoch + 1;
        if (epoch != expected) revert EpochOutOfOrder(expected, epoch);
        if (merkleRoot == bytes32(0)) revert EmptyRoot();
        if (bytes(epochCid).length == 0) revert EmptyCid();
        latestEpoch = epoch;
        anchors[epoch] = Anchor(merkleRoot, uint64(block.number));
        emit Anchored(epoch, merkleRoot, epochCid);
    }

    /// @notice The owner hands anchoring to another account (a rotated or lost key).
    function setAnchorer(address newAnchorer) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (newAnchorer == address(0)) revert ZeroAddress();
        emit AnchorerChanged(anchorer, newAnchorer);
        anchorer = newAnchorer;
    }

    /// @notice The Merkle root of `epoch`; zero when that epoch is not anchored.
    function rootOf(uint64 epoch) external view returns (bytes32) {
        return anchors[epoch].merkleRoot;
    }

    /// @notice The root of `epoch` and the block it was anchored in; zeros when not anchored.
    function anchorOf(uint64 epoch) external view returns (bytes32 merkleRoot, uint64 blockNumber) {
        Anchor storage a = anchors[epoch];
        return (a.merkleRoot, a.blockNumber);
    }
}
