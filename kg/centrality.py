"""Centrality and communities of the city–entity graph: degree, bipartite degree centrality,
betweenness and Louvain communities, written onto the nodes (``annotate_centrality``).

Betweenness is exact up to ``BETWEENNESS_EXACT_MAX`` nodes. A larger graph (a national store:
186,172 nodes) gets an estimate, the same for the same store: the degree-1 nodes (91 % of them,
entities one city names) are taken out exactly, then shortest paths are counted from
``BETWEENNESS_PIVOTS`` source nodes drawn with ``SEED`` (``_pivot_betweenness``); the graph
attribute ``betweenness`` says so. Louvain runs with ``SEED`` too, so the same store gives the
same communities.

>>> g = nx.Graph([("c", "a"), ("c", "b")]); nx.set_node_attributes(g, "entity", "kind")
>>> g.nodes["c"]["kind"] = "city"
>>> annotate_centrality(g), g.nodes["c"]["betweenness"]
([['a', 'b', 'c']], 1.0)
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import networkx as nx
from networkx.algorithms import bipartite

SEED = 42
#: Graphs of more nodes get estimated betweenness (``BETWEENNESS_PIVOTS`` source pivots, drawn
#: with ``SEED``); exact betweenness costs nodes × edges, hours on a national store (#12).
BETWEENNESS_EXACT_MAX = 2_000
#: Source pivots of estimated betweenness.
BETWEENNESS_PIVOTS = 100


def city_nodes(g: nx.Graph) -> list[str]:
    return [n for n, d in g.nodes(data=True) if d["kind"] == "city"]


def annotate_centrality(g: nx.Graph, *, seed: int = SEED) -> list[list[str]]:
    """Add degree, bipartite degree centrality, betweenness and a Louvain community to every
    node; return the communities (lists of nodes, largest first)."""
    cities = city_nodes(g)
    degree = bipartite.degree_centrality(g, cities) if cities else {}
    pivots = None
    if len(g) > BETWEENNESS_EXACT_MAX:
        pivots = BETWEENNESS_PIVOTS
        g.graph["betweenness"] = (f"estimated: degree-1 nodes exactly, then the shortest paths "
                                  f"from {pivots} source nodes (seed {seed}); exact up to "
                                  f"{BETWEENNESS_EXACT_MAX} nodes")
    between = _bipartite_betweenness(g, cities, pivots=pivots, seed=seed) if cities else {}
    found = louvain(g, seed=seed) if len(g) else []
    communities = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    member = {n: i for i, c in enumerate(communities) for n in c}
    for n, d in g.nodes(data=True):
        d["degree"] = g.degree(n)
        d["weighted_degree"] = g.degree(n, weight="weight")
        d["degree_centrality"] = round(degree.get(n, 0.0), 6)
        d["betweenness"] = round(between.get(n, 0.0), 6)
        d["community"] = member.get(n, -1)
    return communities


def _side_maximum(n: int, m: int) -> float:
    """The largest betweenness a node of a bipartite side of ``n`` nodes can have against
    ``m`` on the other side (Borgatti and Halgin 2011, as networkx computes it); 0 when no
    node of the side can lie between two others."""
    if m == 0:
        return 0.0
    s, t = divmod(n - 1, m)
    return ((m**2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2.0


def _bipartite_betweenness(g: nx.Graph, cities: list[str], *, pivots: int | None = None,
                           seed: int = SEED) -> dict[str, float]:
    """``networkx.bipartite.betweenness_centrality``, each side normalised by its largest
    possible value, except that a side whose largest value is 0 stays 0: networkx divides by
    it, which a store of one city (or of one entity) reaches (#12). With ``pivots``, estimated
    by ``_pivot_betweenness``.

    >>> g = nx.Graph([("c", "a"), ("c", "b")])
    >>> _bipartite_betweenness(g, ["c"])
    {'c': 1.0, 'a': 0.0, 'b': 0.0}
    """
    top = set(cities)
    if pivots is None:
        raw = nx.betweenness_centrality(g, normalized=False, weight=None)
    else:
        raw = _pivot_betweenness(g, pivots=pivots, seed=seed)
    most = {True: _side_maximum(len(top), len(g) - len(top)),
            False: _side_maximum(len(g) - len(top), len(top))}
    return {v: b / most[v in top] if most[v in top] else 0.0 for v, b in raw.items()}


def _pivot_betweenness(g: nx.Graph, *, pivots: int | None, seed: int = SEED
                       ) -> dict[str, float]:
    """Betweenness as ``networkx.betweenness_centrality(g, normalized=False)`` gives it, with
    the leaves (degree-1 nodes: most entities are named by one city only) taken out first,
    exactly: a leaf lies on no shortest path, and its neighbour lies on all of the leaf's.
    Brandes' accumulation on the rest counts each node once more per leaf it carries. With
    ``pivots``, the shortest paths from that many of the remaining nodes only (drawn with
    ``seed``), scaled up to all of them: an estimate, the same for the same graph; exact
    without.

    >>> g = nx.path_graph(4)
    >>> _pivot_betweenness(g, pivots=None) == nx.betweenness_centrality(g, normalized=False)
    True
    """
    leaves = {v for v in g if g.degree(v) == 1 and g.degree(next(iter(g[v]))) > 1}
    core = [v for v in g if v not in leaves]
    carried = dict.fromkeys(core, 0)
    for leaf in leaves:
        carried[next(iter(g[leaf]))] += 1
    # by position in ``core``, lists rather than dicts: a third of the time (#12)
    index = {v: i for i, v in enumerate(core)}
    adjacent = [[index[u] for u in g[v] if u not in leaves] for v in core]
    weight = [1 + carried[v] for v in core]
    sources: Sequence[int] = range(len(core))
    if pivots is not None and pivots < len(core):
        sources = [index[v] for v in random.Random(seed).sample(core, pivots)]
    total = [0.0] * len(core)
    for s in sources:
        dist, sigma = [-1] * len(core), [0] * len(core)
        dist[s], sigma[s] = 0, 1
        order = [s]  # breadth first: the list grows while it is read
        for v in order:
            near, paths = dist[v] + 1, sigma[v]
            for u in adjacent[v]:
                if dist[u] < 0:
                    dist[u] = near
                    order.append(u)
                if dist[u] == near:
                    sigma[u] += paths
        delta = [0.0] * len(core)
        for u in reversed(order):
            share = (weight[u] + delta[u]) / sigma[u]
            before = dist[u] - 1
            for v in adjacent[u]:  # u's predecessors on the shortest paths from s
                if dist[v] == before:
                    delta[v] += sigma[v] * share
            if u != s:
                total[u] += weight[s] * delta[u]
    between = dict.fromkeys(g, 0.0)
    between.update(zip(core, total, strict=True))
    scale = len(core) / len(sources) / 2 if sources else 0.0  # each pair was counted twice
    size = {v: len(c) for c in nx.connected_components(g) for v in c}
    for v, a in carried.items():
        # the paths from v's leaves: to the rest of v's component but v and its leaves, and
        # between them
        between[v] = between[v] * scale + a * (size[v] - 1 - a) + a * (a - 1) / 2
    return between


def louvain(g: nx.Graph, *, seed: int = SEED, threshold: float = 0.0000001) -> list[set]:
    """``networkx.community.louvain_communities(g, weight="weight", seed=seed)``, the same
    communities by the same steps (the same random order of the nodes, the same floating-point
    gains, ties broken alike), on lists and dicts of positions rather than graphs copied per
    level, and modularity summed from the degrees: a third of the time on a national store
    (#12). Tested against networkx on random graphs.

    >>> g = nx.barbell_graph(4, 0)
    >>> louvain(g) == nx.community.louvain_communities(g, seed=SEED)
    True
    """
    rnd = random.Random(seed)
    nodes = list(g)
    if g.number_of_edges() == 0:
        return [{u} for u in nodes]
    at = {u: i for i, u in enumerate(nodes)}
    # the graph networkx copies it into: adjacency in the order of g's edges
    adj: list[dict[int, Any]] = [{} for _ in nodes]
    for u, v, w in g.edges(data="weight", default=1):
        adj[at[u]][at[v]] = w
        adj[at[v]][at[u]] = w
    members = [{u} for u in nodes]
    degrees = _degrees(adj)
    m = sum(degrees) / 2
    partition = [{u} for u in nodes]
    mod = _modularity(adj, degrees, [[i] for i in range(len(nodes))])
    partition, inner, _ = _one_level(adj, degrees, m, partition, members, rnd)
    while True:
        found = [s.copy() for s in partition]
        new_mod = _modularity(adj, degrees, inner)
        if new_mod - mod <= threshold:
            return found
        mod = new_mod
        adj, members = _aggregate(adj, members, inner)
        degrees = _degrees(adj)
        partition, inner, moved = _one_level(adj, degrees, m, partition, members, rnd)
        if not moved:
            return found  # networkx stops there, without a new partition


def _degrees(adj: list[dict[int, Any]]) -> list[Any]:
    """Weighted degrees, a self-loop counted twice (networkx's ``G.degree(weight=...)``)."""
    return [sum(nbrs.values()) + nbrs.get(n, 0) for n, nbrs in enumerate(adj)]


def _edges(adj: list[dict[int, Any]]) -> Iterator[tuple[int, int, Any]]:
    """Each edge once, in networkx's order for a ``Graph``."""
    done = [False] * len(adj)
    for n, nbrs in enumerate(adj):
        for nbr, w in nbrs.items():
            if not done[nbr]:
                yield n, nbr, w
        done[n] = True


def _modularity(adj: list[dict[int, Any]], degrees: list[Any],
                communities: list[list[int]] | list[set[int]]) -> float:
    """``networkx.community.modularity`` (resolution 1), its terms in its order."""
    deg_sum = sum(degrees)
    m = deg_sum / 2
    norm = 1 / deg_sum**2
    total = 0
    for community in communities:
        comm = set(community)
        inside = sum(w for u in comm for v, w in adj[u].items() if v >= u and v in comm)
        degree = sum(degrees[u] for u in comm)
        total += inside / m - 1 * degree * degree * norm
    return total


def _one_level(adj: list[dict[int, Any]], degrees: list[Any], m: float, partition: list[set],
               members: list[set], rnd: random.Random
               ) -> tuple[list[set], list[set[int]], bool]:
    """One pass of networkx's ``_one_level`` (undirected, resolution 1) over positions."""
    node2com = list(range(len(adj)))
    inner = [{u} for u in range(len(adj))]
    stot = list(degrees)
    nbrs = [{v: w for v, w in a.items() if v != u} for u, a in enumerate(adj)]
    order = list(range(len(adj)))
    rnd.shuffle(order)
    resolution = 1
    moves = 1
    moved = False
    while moves > 0:
        moves = 0
        for u in order:
            best_mod: float = 0
            best_com = node2com[u]
            weights2com: dict[int, float] = defaultdict(float)
            for nbr, wt in nbrs[u].items():
                weights2com[node2com[nbr]] += wt
            degree = degrees[u]
            stot[best_com] -= degree
            remove_cost = -weights2com[best_com] / m + resolution * (
                stot[best_com] * degree) / (2 * m**2)
            for nbr_com, wt in weights2com.items():
                gain = remove_cost + wt / m - resolution * (stot[nbr_com] * degree) / (2 * m**2)
                if gain > best_mod:
                    best_mod = gain
                    best_com = nbr_com
            stot[best_com] += degree
            if best_com != node2com[u]:
                com = members[u]
                partition[node2com[u]].difference_update(com)
                inner[node2com[u]].remove(u)
                partition[best_com].update(com)
                inner[best_com].add(u)
                moves += 1
                moved = True
                node2com[u] = best_com
    return list(filter(len, partition)), list(filter(len, inner)), moved


def _aggregate(adj: list[dict[int, Any]], members: list[set], inner: list[set[int]]
               ) -> tuple[list[dict[int, Any]], list[set]]:
    """networkx's ``_gen_graph``: a node per community, edge weights summed, in its order."""
    com = [0] * len(adj)
    grouped: list[set] = []
    for i, part in enumerate(inner):
        nodes: set = set()
        for node in part:
            com[node] = i
            nodes.update(members[node])
        grouped.append(nodes)
    out: list[dict[int, Any]] = [{} for _ in inner]
    for u, v, w in _edges(adj):
        a, b = com[u], com[v]
        total = w + out[a].get(b, 0)
        out[a][b] = total
        out[b][a] = total
    return out, grouped
